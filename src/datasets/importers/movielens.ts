/**
 * MovieLens ratings: `u.data` of ML-100K (tab-separated `user item rating timestamp`, no header), or
 * `ratings.dat` of ML-1M/10M (the same columns separated by `::`), told apart on the first line.
 * Each line is one listen: count = the rating (or 1 with --count one), listened_at = the timestamp
 * (unix seconds).
 */
import type { FieldFail, ImportSink } from './import-sink.js';
import { columnName, failAt, parseNumber, parseUnixSeconds, readLines } from './source-input.js';

export interface MovielensOptions {
  count: 'one' | 'rating';
}

const COLUMNS = ['user', 'item', 'rating', 'timestamp'] as const;

export async function importMovielens(path: string, sink: ImportSink, options: MovielensOptions): Promise<void> {
  let n = 0;
  const fail: FieldFail = failAt(path, () => n);
  const [user, item, rating, timestamp] = COLUMNS.map((c, i) => columnName(c, i));
  let delimiter: string | null = null;
  for await (const [line, lineNo] of readLines(path)) {
    n = lineNo;
    if (line.trim() === '') continue;
    delimiter ??= line.includes('\t') ? '\t' : line.includes('::') ? '::' : '\t';
    const f = line.split(delimiter);
    if (f.length < COLUMNS.length)
      fail(
        columnName(COLUMNS[f.length], f.length),
        `missing: the line has ${f.length} of the ${COLUMNS.length} columns (user item rating timestamp)`,
      );
    if (f.length > COLUMNS.length) fail(undefined, `${f.length} columns, expected ${COLUMNS.length} (user item rating timestamp)`);
    const userId = sink.userId(f[0].trim(), user, fail);
    const itemId = sink.itemId(f[1].trim(), item, fail);
    const value = parseNumber(f[2], rating, fail);
    const listenedAt = parseUnixSeconds(f[3], timestamp, fail);
    const drained = sink.listen(userId, itemId, options.count === 'one' ? 1 : value, rating, listenedAt, fail);
    if (drained) await drained;
  }
}
