// Mutated QR payloads for fuzzing the decoder: the conformance vectors, bent
// by a few random edits, and half of the time signed again so that the CRC
// passes and the mutation reaches the rules behind it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { crc16ccitt, decode, encode, type QrCodecError, type QrField } from '../src/qr/index.ts';

const vectorsUrl = new URL('../src/qr/testdata/emv-qr-vectors.json', import.meta.url);

export function seedPayloads(): string[] {
  return (JSON.parse(readFileSync(vectorsUrl, 'utf8')) as { payload: string }[]).map((vector) => vector.payload);
}

/** Every codec failure code, to check that decode returns nothing else. */
export const codecErrors = [
  'payload_empty',
  'payload_too_long',
  'payload_kind_unknown',
  'tlv_truncated',
  'tlv_id_invalid',
  'tlv_length_invalid',
  'tlv_value_overflow',
  'tlv_id_duplicate',
  'format_indicator_missing',
  'format_indicator_invalid',
  'crc_missing',
  'crc_not_last',
  'crc_length_invalid',
  'crc_not_hex',
  'crc_mismatch',
  'cpm_base64_invalid',
  'cpm_tlv_invalid',
  'cpm_nesting_too_deep',
  'cpm_format_indicator_invalid',
  'cpm_application_missing',
] as const satisfies readonly QrCodecError[];

// Fails to compile when a code is added to QrCodecError but not listed above.
const everyCodeListed: Exclude<QrCodecError, (typeof codecErrors)[number]> extends never ? true : never = true;
void everyCodeListed;

type Edit = (payload: string) => string;

const character = fc.oneof(
  fc.constantFrom('0', '1', '2', '5', '6', '9', 'A', 'a', '.', ' ', '*', '=', '+', '/', 'h', 'Q'),
  fc.constantFrom('北', '😀', '\uD800', '\uDC00', '\u0000', '\u007F', 'é'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** A position in the payload, as a fraction so that one edit fits payloads of any length. */
const where = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

function at(payload: string, fraction: number): number {
  return Math.floor(fraction * (payload.length + 1));
}

const edits: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(where, character).map(
    ([w, c]): Edit =>
      (p) =>
        p.slice(0, at(p, w)) + c + p.slice(at(p, w) + 1),
  ),
  fc.tuple(where, character).map(
    ([w, c]): Edit =>
      (p) =>
        p.slice(0, at(p, w)) + c + p.slice(at(p, w)),
  ),
  fc.tuple(where, fc.integer({ min: 1, max: 12 })).map(
    ([w, n]): Edit =>
      (p) =>
        p.slice(0, at(p, w)) + p.slice(at(p, w) + n),
  ),
  where.map(
    (w): Edit =>
      (p) =>
        p.slice(0, at(p, w)),
  ),
  fc.tuple(where, where).map(
    ([a, b]): Edit =>
      (p) =>
        p + p.slice(Math.min(at(p, a), at(p, b)), Math.max(at(p, a), at(p, b))),
  ),
  // A two-digit id or length rewritten: the edit TLV parsers get wrong most.
  fc.tuple(where, fc.integer({ min: 0, max: 99 })).map(
    ([w, n]): Edit =>
      (p) =>
        p.slice(0, at(p, w)) + String(n).padStart(2, '0') + p.slice(at(p, w) + 2),
  ),
  fc.tuple(where, where).map(
    ([a, b]): Edit =>
      (p) => {
        const [i, j] = [at(p, a), at(p, b)].sort((x, y) => x - y) as [number, number];
        return p.slice(0, i) + p.slice(j, j + 1) + p.slice(i + 1, j) + p.slice(i, i + 1) + p.slice(j + 1);
      },
  ),
);

/** Writes a fresh CRC into the last four characters, so that the edits get past the checksum. */
function resign(payload: string): string {
  const body = payload.slice(0, -4);
  return body + crc16ccitt(body);
}

/** Payloads bent character by character: mostly broken structure, for the codec. */
function editedPayloads(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seedPayloads()), fc.array(edits, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([seed, chosen, signAgain]) => {
      const edited = chosen.reduce((payload, edit) => edit(payload), seed);
      return signAgain ? resign(edited) : edited;
    });
}

/** Readable payloads with one value replaced through the tree: sound structure, odd values, for the rules. */
function revaluedPayloads(): fc.Arbitrary<string> {
  const trees = seedPayloads().flatMap((payload) => {
    const result = decode(payload);
    return result.kind === 'mpm' ? [result.fields] : [];
  });
  const values = fc.oneof(
    fc.string({ unit: character, maxLength: 30 }),
    fc.constantFrom('', '0', '00', '1.005', '99.999', '12', 'AME', 'ZZ', '-1', '1e3'),
  );
  return fc.tuple(fc.constantFrom(...trees), fc.nat(), values).map(([fields, pick, value]) => {
    const paths = primitivePaths(fields);
    const path = paths[pick % paths.length]!;
    const encoded = encode(replaceValue(fields, path, value));
    return encoded.ok ? encoded.payload : '';
  });
}

function primitivePaths(fields: readonly QrField[], prefix: readonly number[] = []): number[][] {
  return fields.flatMap((field, i) =>
    'value' in field ? [[...prefix, i]] : primitivePaths(field.children, [...prefix, i]),
  );
}

function replaceValue(fields: readonly QrField[], path: readonly number[], value: string): QrField[] {
  const [index, ...rest] = path;
  return fields.map((field, i) => {
    if (i !== index) return field;
    if ('value' in field) return { ...field, value };
    return { ...field, children: replaceValue(field.children, rest, value) };
  });
}

export function mutatedPayloads(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: editedPayloads() }, { weight: 1, arbitrary: revaluedPayloads() });
}
