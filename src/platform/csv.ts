/**
 * CSV the hub writes (RFC 4180, CRLF line ends), safe to open in a
 * spreadsheet. A text cell that starts like a formula (`=`, `+`, `-`, `@`, a
 * tab or a carriage return) would be run by Excel, LibreOffice or Sheets, so
 * it is prefixed with `'`, as OWASP's CSV injection advice says; a payer's
 * reference or a name is free text. A number is written as it is: a negative
 * amount stays a number. Then a cell with a comma, a quote or a line break is
 * quoted, its quotes doubled.
 */
export type CsvValue = string | number | null;

const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value.replace(formulaStart, "'$&");
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
