// The shared conformance vectors: real and crafted payloads from QRIS,
// PromptPay, Pix, SGQR, VietQR, UnionPay and the EMVCo specification. `valid`
// is the lenient verdict; `strictEmvcoIssues` what strict mode must report,
// written for people, so each is mapped to the rule and path it names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, encode, type QrField, type QrRule } from './index.ts';

type Vector = {
  payload: string;
  valid: boolean;
  scheme: string;
  source: string;
  notes: string;
  strictEmvcoIssues?: string[];
};

const vectors = JSON.parse(
  readFileSync(new URL('./testdata/emv-qr-vectors.json', import.meta.url), 'utf8'),
) as Vector[];

/** How the vectors word each issue, and the finding that answers it. */
const issuePatterns: readonly [RegExp, (match: RegExpMatchArray) => [QrRule, string]][] = [
  [/^missing mandatory (\d\d)$/, (m) => ['mandatory_field_missing', m[1]!]],
  [/^RFU root tag (\d\d) present$/, (m) => ['field_rfu', m[1]!]],
  [/^(\d\d\/\d\d) RFU$/, (m) => ['field_rfu', m[1]!]],
  [/^(\d\d\/09) ".*" not unique A\/M\/E$/, (m) => ['consumer_data_request_invalid', m[1]!]],
  [/^56 present without 55=02$/, () => ['convenience_fee_fixed_unexpected', '56']],
  [/^57 present without 55=03$/, () => ['convenience_fee_percentage_unexpected', '57']],
  [/^nested: tag (\d\d): value overflow/, (m) => ['unreserved_template_not_tlv', m[1]!]],
  [/^(\d\d) template not TLV/, (m) => ['unreserved_template_not_tlv', m[1]!]],
  [/^(\d\d) length \d+ outside 1\.\.\d+$/, (m) => ['value_too_long', m[1]!]],
];

function expectedFinding(issue: string): string {
  for (const [pattern, finding] of issuePatterns) {
    const match = issue.match(pattern);
    if (match) return finding(match).join(' at ');
  }
  throw new Error(`no rule answers the issue ${JSON.stringify(issue)}`);
}

/** Whether every level of the tree is in the order encode writes: ascending ids. */
function inEncodeOrder(fields: readonly QrField[]): boolean {
  return fields.every(
    (field, i) =>
      (i === 0 || fields[i - 1]!.id < field.id) && (!('children' in field) || inEncodeOrder(field.children)),
  );
}

describe('the conformance vectors', () => {
  it('are all here: 50, 13 of them invalid, 2 consumer-presented', () => {
    expect(vectors).toHaveLength(50);
    expect(vectors.filter((vector) => !vector.valid)).toHaveLength(13);
    expect(vectors.filter((vector) => vector.scheme === 'emvco-cpm')).toHaveLength(2);
  });

  describe.each(vectors.map((vector, index) => [index, vector.scheme, vector] as const))(
    '#%i (%s)',
    (_, __, vector) => {
      it(`has the lenient verdict ${vector.valid ? 'valid' : 'invalid'}`, () => {
        const result = decode(vector.payload);
        expect(result.valid, JSON.stringify(result)).toBe(vector.valid);
        if (vector.scheme === 'emvco-cpm') expect(result.kind).toBe('cpm');
        else expect(result.kind).toBe(vector.valid ? 'mpm' : 'error');
      });

      it('gets in strict mode exactly a finding for each listed issue', () => {
        const result = decode(vector.payload, { mode: 'strict' });
        if (result.kind !== 'mpm') {
          expect(vector.strictEmvcoIssues ?? []).toEqual([]);
          return;
        }
        const errors = result.findings
          .filter((finding) => finding.severity === 'error')
          .map((finding) => `${finding.rule} at ${finding.path}`);
        const expected = [...new Set((vector.strictEmvcoIssues ?? []).map(expectedFinding))];
        expect(errors.sort()).toEqual(expected.sort());
        expect(result.valid).toBe(expected.length === 0);
      });

      if (vector.valid && vector.scheme !== 'emvco-cpm') {
        it('encodes back to itself when its fields are already in order and its CRC upper case', () => {
          const result = decode(vector.payload);
          if (result.kind !== 'mpm' || !inEncodeOrder(result.fields) || result.crc !== result.crc.toUpperCase()) return;
          expect(encode(result.fields)).toEqual({ ok: true, payload: vector.payload });
        });
      }
    },
  );
});
