// Round trips over generated trees: any tree encode accepts decodes back to
// itself, and a payload written in encode's order encodes back to itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, fieldName, valueCharsMax, type QrField } from './index.ts';

const characters = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom('北', '京', 'é', '€', '😀', 'ñ', '\u0000', '\uD800') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
);

function value(charsMax: number): fc.Arbitrary<string> {
  return fc
    .array(characters, { minLength: 1, maxLength: charsMax })
    .map((parts) => parts.join(''))
    .map((text) => [...text].slice(0, charsMax).join(''));
}

function idIn(from: number, to: number): fc.Arbitrary<number> {
  return fc.integer({ min: from, max: to });
}

const twoDigits = (id: number) => String(id).padStart(2, '0');

/** The characters a data object takes once encoded. */
function encodedChars(field: QrField): number {
  const content =
    'value' in field ? [...field.value].length : field.children.reduce((sum, child) => sum + encodedChars(child), 0);
  return 4 + content;
}

/** A level of data objects with unique ids in ascending order, named as decode names them. */
function level(
  path: readonly string[],
  ids: fc.Arbitrary<number>,
  child: (id: number, path: readonly string[]) => fc.Arbitrary<QrField>,
  maxLength: number,
) {
  return fc
    .uniqueArray(ids, { minLength: 1, maxLength })
    .chain((chosen) => fc.tuple(...[...chosen].sort((a, b) => a - b).map((id) => child(id, [...path, twoDigits(id)]))));
}

function primitive(path: readonly string[], charsMax = 20): fc.Arbitrary<QrField> {
  return value(charsMax).map((text) => ({ id: path.at(-1)!, name: fieldName(path)!, value: text }));
}

/** A template whose encoded children fit in 99 characters. */
function templateOf(path: readonly string[], children: fc.Arbitrary<QrField[]>): fc.Arbitrary<QrField> {
  return children
    .filter((list) => list.reduce((sum, field) => sum + encodedChars(field), 0) <= valueCharsMax)
    .map((list) => ({ id: path.at(-1)!, name: fieldName(path)!, children: list }));
}

function child(id: number, path: readonly string[]): fc.Arbitrary<QrField> {
  // Only 62/50-99 nest again below the top level.
  if (path[0] === '62' && id >= 50)
    return templateOf(
      path,
      level(path, idIn(0, 99), (_, p) => primitive(p, 8), 3),
    );
  return primitive(path, 12);
}

function rootField(id: number, path: readonly string[]): fc.Arbitrary<QrField> {
  const isTemplate = (id >= 26 && id <= 51) || id === 62 || id === 64 || id >= 80;
  if (!isTemplate) return primitive(path, 30);
  return templateOf(path, level(path, idIn(0, 99), child, 5));
}

const rootIds = idIn(1, 99).filter((id) => id !== 63);

/** A tree encode accepts: 00 holding "01" first, then up to 24 other data objects. */
const trees: fc.Arbitrary<QrField[]> = fc
  .tuple(
    fc.constant<QrField>({ id: '00', name: 'Payload Format Indicator', value: '01' }),
    level([], rootIds, rootField, 24),
  )
  .map(([formatIndicator, rest]) => [formatIndicator, ...rest]);

describe('round trips', () => {
  it('decode(encode(tree)) is the tree', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const encoded = encode(tree);
        if (!encoded.ok) throw new Error(`encode refused: ${JSON.stringify(encoded)}`);
        const decoded = decode(encoded.payload);
        expect(decoded).toMatchObject({ kind: 'mpm', valid: true });
        expect(decoded.kind === 'mpm' && decoded.fields).toEqual(tree);
      }),
      { numRuns: 1_000 },
    );
  });

  it('encode(decode(payload)) is the payload when it is written in encode order', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const encoded = encode(tree);
        if (!encoded.ok) throw new Error(`encode refused: ${JSON.stringify(encoded)}`);
        const decoded = decode(encoded.payload, { mode: 'strict' });
        if (decoded.kind !== 'mpm') throw new Error(JSON.stringify(decoded));
        expect(encode(decoded.fields)).toEqual(encoded);
      }),
      { numRuns: 1_000 },
    );
  });
});
