/**
 * CSV export for the supervisor figures (RFC 4180): comma-separated, CRLF line ends, fields
 * quoted when they hold a comma, quote or line break, and a UTF-8 byte-order mark so that Excel
 * opens Chinese text correctly. Cells that a spreadsheet would run as a formula (= + - @, tab,
 * carriage return at the start) get a leading apostrophe (CSV injection).
 */

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  // Plain numbers (including negative ones) stay numbers; other text starting like a formula is defused.
  if (FORMULA_START.test(text) && !(typeof value === 'number')) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T>(
  rows: readonly T[],
  columns: readonly CsvColumn<T>[],
  options: { bom?: boolean } = {},
): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}
