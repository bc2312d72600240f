import { isVariableName, MAX_VALUE_CHARS } from './values';

/**
 * A number's lookup CSV (seed 002): a header row, then one row per key. The first column is the
 * key, matched exactly; every other column is a variable. The whole file is checked before
 * anything is stored, and every bad row is named by its number (the header row is row 1).
 */
export const CSV_LIMITS = {
  maxBytes: 1_048_576,
  maxRows: 10_000,
  maxColumns: 50,
  maxKeyChars: 200,
  maxCellChars: MAX_VALUE_CHARS,
};
const MAX_ERRORS = 20;

export interface LookupCsv {
  keyColumn: string;
  columns: string[];
  /** key → the row's variables */
  rows: Map<string, Record<string, string>>;
}

export type CsvResult = { ok: true; csv: LookupCsv } | { ok: false; tooLarge: boolean; errors: string[] };

/** RFC 4180 records, each with the row number it starts on; quoted cells may hold commas, quotes ("") and line breaks. */
function* records(text: string): Generator<{ row: number; cells: string[] } | { row: number; error: string }> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const row = line;
    const cells: string[] = [];
    let problem: string | null = null;
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            yield { row, error: `row ${row}: a quoted cell is never closed.` };
            return;
          }
          const part = text.slice(i, q);
          cell += part;
          for (const ch of part) if (ch === '\n') line += 1;
          if (text[q + 1] === '"') {
            cell += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          problem = `row ${row}: text after a closing quote (a quote inside a quoted cell is written "").`;
          while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i += 1;
        }
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i += 1;
        cell = text.slice(from, i);
        if (cell.includes('"')) problem ??= `row ${row}: a quote in an unquoted cell (quote the cell and write the quote as "").`;
      }
      cells.push(cell);
      if (i < n && text[i] === ',') {
        i += 1;
        continue;
      }
      if (text[i] === '\r') i += 1;
      if (text[i] === '\n') i += 1;
      line += 1;
      break;
    }
    yield problem ? { row, error: problem } : { row, cells };
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function parseLookupCsv(raw: string): CsvResult {
  if (Buffer.byteLength(raw, 'utf8') > CSV_LIMITS.maxBytes) {
    return { ok: false, tooLarge: true, errors: [`The CSV is larger than ${CSV_LIMITS.maxBytes.toLocaleString('en-US')} bytes (1 MiB).`] };
  }
  const text = raw.replace(/^\uFEFF/, '');
  const errors: string[] = [];
  const add = (e: string) => errors.length < MAX_ERRORS && errors.push(e);
  let header: string[] | null = null;
  const rows = new Map<string, Record<string, string>>();
  const firstRowOf = new Map<string, number>();
  let dataRows = 0;
  for (const rec of records(text)) {
    if ('error' in rec) {
      add(rec.error);
      continue;
    }
    const { row, cells } = rec;
    if (cells.length === 1 && cells[0] === '') continue;
    if (!header) {
      header = cells;
      checkHeader(cells, add);
      continue;
    }
    dataRows += 1;
    if (dataRows > CSV_LIMITS.maxRows) {
      return { ok: false, tooLarge: true, errors: [`The CSV has more than ${CSV_LIMITS.maxRows.toLocaleString('en-US')} rows after its header.`] };
    }
    if (cells.length !== header.length) {
      add(`row ${row}: has ${cells.length} cells; the header has ${header.length}.`);
      continue;
    }
    const [key, ...values] = cells as [string, ...string[]];
    if (key === '') add(`row ${row}: the key (column ${header[0]}) is empty.`);
    else if (key.length > CSV_LIMITS.maxKeyChars) add(`row ${row}: the key is longer than ${CSV_LIMITS.maxKeyChars} characters.`);
    else if (firstRowOf.has(key)) add(`row ${row}: the key is the same as row ${firstRowOf.get(key)}'s; keys must be unique.`);
    const bad = cells.findIndex((c) => c.length > CSV_LIMITS.maxCellChars || CONTROL.test(c));
    if (bad >= 0) {
      const why = cells[bad]!.length > CSV_LIMITS.maxCellChars ? `is longer than ${CSV_LIMITS.maxCellChars} characters` : 'has a control character';
      add(`row ${row}: column ${header[bad]} ${why}.`);
      continue;
    }
    if (key === '' || key.length > CSV_LIMITS.maxKeyChars || firstRowOf.has(key)) continue;
    firstRowOf.set(key, row);
    rows.set(key, Object.fromEntries(header.slice(1).map((col, j) => [col, values[j]!])));
  }
  if (!header) add('The CSV is empty: it needs a header row (the key column, then variable names) and at least one row.');
  else if (dataRows === 0 && errors.length === 0) add('The CSV has a header row but no rows.');
  if (errors.length >= MAX_ERRORS) errors.push('(only the first 20 problems are listed)');
  if (errors.length > 0 || !header) return { ok: false, tooLarge: false, errors };
  return { ok: true, csv: { keyColumn: header[0]!, columns: header.slice(1), rows } };
}

function checkHeader(cells: string[], add: (e: string) => void): void {
  if (cells.length < 2) add('row 1: the header needs the key column and at least one variable column.');
  if (cells.length > CSV_LIMITS.maxColumns) add(`row 1: more than ${CSV_LIMITS.maxColumns} columns.`);
  if (cells[0] === '' || (cells[0] ?? '').length > 100) add('row 1: the key column needs a name (at most 100 characters).');
  const seen = new Set<string>();
  cells.slice(1, CSV_LIMITS.maxColumns).forEach((name, j) => {
    if (!isVariableName(name)) {
      add(`row 1: column ${j + 2} (${JSON.stringify(name.slice(0, 40))}) is not a variable name (a letter or '_', then letters, digits or '_'; at most 64).`);
    } else if (seen.has(name)) add(`row 1: column ${name} appears twice.`);
    seen.add(name);
  });
}
