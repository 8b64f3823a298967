/**
 * RecBole atomic `.inter` files: tab-separated, a header of `name:type` columns
 * (`user_id:token	item_id:token	rating:float	timestamp:float`). Columns are found by name, in
 * any order; extra columns are ignored. Each line is one listen.
 */
import type { FieldFail, ImportSink } from './import-sink.js';
import { columnName, failAt, parseNumber, parseUnixSeconds, readLines } from './source-input.js';

export interface RecboleOptions {
  user: string;
  item: string;
  /** 'one', or the column whose value is the count; undefined: `rating` when the file has it, else one. */
  count?: string;
  /** Undefined: `timestamp` when the file has it, else no listened_at. */
  timestamp?: string;
}

export async function importRecbole(path: string, sink: ImportSink, options: RecboleOptions): Promise<void> {
  let n = 0;
  const fail: FieldFail = failAt(path, () => n);
  let header: string[] | null = null;
  let cols!: { user: number; item: number; count: number; timestamp: number };
  let names: string[] = [];
  for await (const [line, lineNo] of readLines(path)) {
    n = lineNo;
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (!header) {
      header = f.map((h) => h.trim());
      // `user_id:token` is found as `user_id` or as itself.
      const bare = header.map((h) => h.replace(/:[a-z_]+$/, ''));
      const find = (name: string, flag: string, required: boolean): number => {
        const i = bare.indexOf(name) >= 0 ? bare.indexOf(name) : header!.indexOf(name);
        if (i < 0 && required) fail('header', `no column ${JSON.stringify(name)} (${flag}); the columns are ${header!.join(', ')}`);
        return i;
      };
      cols = {
        user: find(options.user, '--user', true),
        item: find(options.item, '--item', true),
        count: options.count === 'one' ? -1 : find(options.count ?? 'rating', '--count', options.count !== undefined),
        timestamp: find(options.timestamp ?? 'timestamp', '--timestamp', options.timestamp !== undefined),
      };
      names = header.map((h, i) => columnName(h, i));
      continue;
    }
    if (f.length !== header.length) {
      if (f.length < header.length) fail(names[f.length], `missing: the line has ${f.length} of the header's ${header.length} columns`);
      fail(undefined, `${f.length} columns, the header has ${header.length}`);
    }
    const userId = sink.userId(f[cols.user].trim(), names[cols.user], fail);
    const itemId = sink.itemId(f[cols.item].trim(), names[cols.item], fail);
    const count = cols.count < 0 ? 1 : parseNumber(f[cols.count], names[cols.count], fail);
    const listenedAt = cols.timestamp < 0 ? undefined : parseUnixSeconds(f[cols.timestamp], names[cols.timestamp], fail);
    const drained = sink.listen(userId, itemId, count, cols.count < 0 ? undefined : names[cols.count], listenedAt, fail);
    if (drained) await drained;
  }
  if (!header) fail(undefined, 'empty file: expected a header line');
}
