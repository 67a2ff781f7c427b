import { describe, expect, test } from 'vitest';
import { fontRuns } from './fonts.ts';
import { placardPdf } from './render.ts';

/** The characters of a two-byte area of a legacy Chinese encoding, decoded by Node's own ICU tables. */
function area(encoding: string, rows: [number, number], cells: [number, number]): string {
  const decoder = new TextDecoder(encoding);
  let text = '';
  for (let row = rows[0]; row <= rows[1]; row += 1)
    for (let cell = cells[0]; cell <= cells[1]; cell += 1) text += decoder.decode(new Uint8Array([row, cell]));
  return text;
}

function printableRange(from: number, to: number): string {
  let text = '';
  for (let codePoint = from; codePoint <= to; codePoint += 1)
    if (codePoint < 0x7f || codePoint >= 0xa0) text += String.fromCodePoint(codePoint);
  return text;
}

const shown = (text: string) =>
  fontRuns(text)
    .map((run) => run.text)
    .join('');

describe('the placard font shipped in src/placards/font', () => {
  test('draws Basic Latin, Latin-1 and Latin Extended-A (Indonesian, Vietnamese base letters) and every GB2312 level-1 hanzi', () => {
    const latin = printableRange(0x20, 0x17f);
    expect(shown(latin)).toBe(latin);
    // Rows B0 to D7 hold GB2312's 3,755 level-1 hanzi; D7FA to D7FE are empty cells, cut off here.
    const levelOne = [...area('gbk', [0xb0, 0xd7], [0xa1, 0xfe])].slice(0, 3_755).join('');
    expect([...levelOne]).toHaveLength(3_755);
    expect(shown(levelOne)).toBe(levelOne);
    expect(shown('Toko Kopi Sejahtera 茶叶店 北京 一码通，所有钱包都能付')).toBe(
      'Toko Kopi Sejahtera 茶叶店 北京 一码通，所有钱包都能付',
    );
  });

  test('draws at least 2,970 of the 3,008 level-2 hanzi (the font leaves out 33 rare ones)', () => {
    const levelTwo = area('gbk', [0xd8, 0xf7], [0xa1, 0xfe]);
    const drawn = [...shown(levelTwo)].filter((character) => character !== '?').length;
    expect(drawn).toBeGreaterThanOrEqual(2_970);
  });

  test('a name with characters outside the font still gets a placard, those characters shown as "?"', async () => {
    expect(shown('𠀀 劐 Kedai 🦜')).toBe('? ? Kedai ?');
    // Thai U+0E17 is listed by a face whose tables cannot lay it out: render.ts falls back there too.
    const pdf = await placardPdf('00020101021126', { name: '𠀀 劐 Kedai 🦜 ทอง', city: 'Jakarta' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1_000);
  });
});
