/**
 * A plain CSV or TSV with a header: one listen (or one user-item count) a row, columns named by the
 * options. Optional item metadata (name, artist, genre) from a second delimited file with a header.
 * Quoted fields follow RFC 4180 unless quoting is turned off.
 */
import { DatasetError } from '../ndjson-dataset.js';
import type { FieldFail, ImportSink } from './import-sink.js';
import { columnName, failAt, parseNumber, parseTimestamp, readLines, readRows, splitRow } from './source-input.js';

export interface CsvOptions {
  /** Undefined: detected on each file's header (tab, comma, semicolon or pipe, whichever is most frequent). */
  delimiter?: string;
  /** Null: no quoting, a quote is text. */
  quote: string | null;
  /** Column names; undefined means the defaults (see docs/datasets.md). */
  user?: string;
  item?: string;
  /** A column, or 'one' (every row counts 1). */
  count?: string;
  timestamp?: string;
  items?: {
    path: string;
    itemId?: string;
    name?: string;
    artist?: string;
    genre?: string;
  };
}

const CANDIDATES = ['\t', ',', ';', '|'];

/** The candidate delimiter that splits the header into the most columns. */
export function detectDelimiter(header: string, quote: string | null): string | null {
  let best: string | null = null;
  let most = 1;
  for (const d of CANDIDATES) {
    const fields = splitRow(header, d, quote);
    const count = Array.isArray(fields) ? fields.length : 0;
    if (count > most) {
      best = d;
      most = count;
    }
  }
  return best;
}

/** Column index by exact name, else case-insensitive; -1 when absent. */
function columnIndex(header: string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  return header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
}

interface Table {
  header: string[];
  names: string[];
  /** Index of the first given name that exists; -1 when none does and it was not required. */
  find(candidates: string[], flag: string, required: boolean): number;
  rows: AsyncGenerator<{ fields: string[]; line: number }>;
}

async function openTable(path: string, options: CsvOptions): Promise<Table> {
  // The header decides the delimiter, so it is read alone first.
  let headerLine: string | null = null;
  for await (const [line] of readLines(path)) {
    if (line.trim() === '') continue;
    headerLine = line;
    break;
  }
  if (headerLine === null) throw new DatasetError(path, 0, 'empty file: expected a header line');
  const delimiter = options.delimiter ?? detectDelimiter(headerLine, options.quote);
  if (delimiter === null)
    throw new DatasetError(
      path,
      1,
      `cannot tell the delimiter: the header ${JSON.stringify(headerLine.slice(0, 80))} has one column (give --delimiter)`,
      'header',
    );
  const rows = readRows(path, delimiter, options.quote);
  const first = await rows.next();
  if (first.done) throw new DatasetError(path, 0, 'empty file: expected a header line');
  const header = first.value.fields.map((h) => h.trim());
  const names = header.map((h, i) => columnName(h, i));
  return {
    header,
    names,
    rows,
    find(candidates, flag, required) {
      for (const c of candidates) {
        const i = columnIndex(header, c);
        if (i >= 0) return i;
      }
      if (required) {
        const wanted = candidates.map((c) => JSON.stringify(c)).join(' or ');
        throw new DatasetError(path, first.value.line, `no column ${wanted} (${flag}); the columns are ${header.join(', ')}`, 'header');
      }
      return -1;
    },
  };
}

function checkWidth(fields: string[], table: Table, fail: FieldFail): void {
  if (fields.length < table.header.length)
    fail(table.names[fields.length], `missing: the row has ${fields.length} of the header's ${table.header.length} columns`);
  if (fields.length > table.header.length) fail(undefined, `${fields.length} columns, the header has ${table.header.length}`);
}

export async function importCsv(path: string, sink: ImportSink, options: CsvOptions): Promise<void> {
  // Items first: their ids follow the items file, and items nobody listened to are in the catalogue.
  if (options.items) await importItems(options.items, sink, options);
  const table = await openTable(path, options);
  const user = table.find(options.user ? [options.user] : ['user_id'], '--user', true);
  const item = table.find(options.item ? [options.item] : ['item_id', 'track_id'], '--item', true);
  const count = options.count === 'one' ? -1 : table.find([options.count ?? 'count'], '--count', options.count !== undefined);
  const timestamp = table.find([options.timestamp ?? 'timestamp'], '--timestamp', options.timestamp !== undefined);
  let n = 0;
  const fail = failAt(path, () => n);
  for await (const { fields, line } of table.rows) {
    n = line;
    checkWidth(fields, table, fail);
    const userId = sink.userId(fields[user].trim(), table.names[user], fail);
    const itemId = sink.itemId(fields[item].trim(), table.names[item], fail);
    const value = count < 0 ? 1 : parseNumber(fields[count], table.names[count], fail);
    const listenedAt = timestamp < 0 ? undefined : parseTimestamp(fields[timestamp], table.names[timestamp], fail);
    const drained = sink.listen(userId, itemId, value, count < 0 ? undefined : table.names[count], listenedAt, fail);
    if (drained) await drained;
  }
}

async function importItems(items: NonNullable<CsvOptions['items']>, sink: ImportSink, options: CsvOptions): Promise<void> {
  const table = await openTable(items.path, options);
  const idCandidates = items.itemId ? [items.itemId] : [...(options.item ? [options.item] : []), 'item_id', 'track_id', 'id'];
  const id = table.find(idCandidates, '--item-id', true);
  const name = table.find([items.name ?? 'name'], '--name', items.name !== undefined);
  const artist = table.find([items.artist ?? 'artist'], '--artist', items.artist !== undefined);
  const genre = table.find(items.genre ? [items.genre] : ['genre', 'genres'], '--genre', items.genre !== undefined);
  let n = 0;
  const fail = failAt(items.path, () => n);
  const firstLine = new Map<number, number>();
  for await (const { fields, line } of table.rows) {
    n = line;
    checkWidth(fields, table, fail);
    const itemId = sink.itemId(fields[id].trim(), table.names[id], fail);
    const first = firstLine.get(itemId);
    if (first !== undefined) fail(table.names[id], `duplicate item id ${JSON.stringify(fields[id].trim())} (first on line ${first})`);
    firstLine.set(itemId, line);
    // Genres as MovieLens writes them: several joined by "|".
    const genres =
      genre < 0
        ? undefined
        : fields[genre]
            .split('|')
            .map((g) => g.trim())
            .filter((g) => g !== '');
    sink.describeItem(itemId, {
      name: name < 0 ? undefined : fields[name].trim(),
      artist: artist < 0 ? undefined : fields[artist].trim(),
      genres,
    });
  }
}
