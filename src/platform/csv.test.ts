import { describe, expect, test } from 'vitest';
import { csvCell, csvRow } from './csv.ts';

describe('CSV cells', () => {
  test.each([
    ['plain', 'plain'],
    ['with,comma', '"with,comma"'],
    ['with "quote"', '"with ""quote"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    [null, ''],
    ['', ''],
    [1999, '1999'],
    [-1999, '-1999'],
    [0, '0'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['-2+3', "'-2+3"],
    ['+2', "'+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=1,2', `"'=1,2"`],
    ['a=1', 'a=1'],
    [' =1', ' =1'],
    ['-', "'-"],
  ] as const)('%j → %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  test('a row is its cells, comma separated, CRLF ended', () => {
    expect(csvRow(['par_1', -500, '=1+1', null])).toBe("par_1,-500,'=1+1,\r\n");
  });
});
