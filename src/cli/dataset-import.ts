/**
 * npm run dataset:import -- --format FORMAT --in PATH --out DIR [options]
 * Converts a public data set into the data set directory format of docs/datasets.md, written whole
 * or not at all. Progress goes to stderr; stdout gets the summary.
 */
import { rmSync } from 'node:fs';
import { DatasetError } from '../datasets/ndjson-dataset.js';
import { FORMATS, OutputExistsError, runImport, type FormatOptions, type ImportFormat } from '../datasets/importers/import-dataset.js';
import type { IdMode, ImportSink, ImportSummary } from '../datasets/importers/import-sink.js';
import { intOption, parseOptions, UsageError } from './support/parse-options.js';

const USAGE = `Usage: npm run dataset:import -- --format FORMAT --in PATH --out DIR [options]

  --format FORMAT      movielens, recbole, lastfm-1k or csv
  --in PATH            the source file (read as gzip when it ends in .gz)
  --out DIR            the data set directory to write (listens.ndjson, tracks.ndjson, users.ndjson)
  --force              replace DIR when it exists and is not empty
  --ids MODE           source: keep the source's integer ids; dense: number users 1, 2, ... in order of
                       first appearance (default: source, except lastfm-1k: dense). Item ids are
                       1000000000 + the source id (or the rank), so they never collide with user ids
  --count-scale N      multiply every count by N (1)

  movielens (u.data: user item rating timestamp, tab- or ::-separated):
  --count one|rating   count = the rating, or 1 (rating)

  recbole (atomic .inter file, columns found by their header names):
  --count one|COLUMN   the count column, or 1 (rating when the file has it, else 1)
  --user COLUMN        (user_id)   --item COLUMN (item_id)
  --timestamp COLUMN   unix seconds (timestamp when the file has it)

  lastfm-1k (userid-timestamp-artid-artname-traid-traname.tsv):
  --item track|artist  what an item is (track)

  csv (CSV or TSV with a header):
  --delimiter D        tab, comma, semicolon, pipe or one character (detected on the header)
  --quote Q|none       quote character of quoted fields, or none (")
  --user COLUMN        (user_id)   --item COLUMN (item_id, else track_id)
  --count one|COLUMN   (count when the file has it, else 1)
  --timestamp COLUMN   unix seconds or ISO-8601 (timestamp when the file has it)
  --items PATH         item metadata file with a header (same --delimiter and --quote)
  --item-id COLUMN     (the --item column, item_id, track_id or id)
  --name COLUMN        (name)   --artist COLUMN (artist)   --genre COLUMN (genre or genres; "|" separates several)
  --help`;

const NAMES = [
  'format',
  'in',
  'out',
  'ids',
  'count-scale',
  'count',
  'user',
  'item',
  'timestamp',
  'delimiter',
  'quote',
  'items',
  'item-id',
  'name',
  'artist',
  'genre',
] as const;
type Name = (typeof NAMES)[number];

const COMMON: Name[] = ['format', 'in', 'out', 'ids', 'count-scale'];
const PER_FORMAT: Record<ImportFormat, Name[]> = {
  movielens: ['count'],
  recbole: ['count', 'user', 'item', 'timestamp'],
  'lastfm-1k': ['item'],
  csv: ['count', 'user', 'item', 'timestamp', 'delimiter', 'quote', 'items', 'item-id', 'name', 'artist', 'genre'],
};

const DELIMITERS: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };

export interface ImportArgs {
  input: string;
  out: string;
  force: boolean;
  ids: IdMode;
  countScale: number;
  spec: FormatOptions;
}

export function parseImportArgs(argv: string[]): ImportArgs | null {
  // parseOptions takes only valued options; --force is the one flag.
  const force = argv.includes('--force');
  const v = parseOptions(
    argv.filter((a) => a !== '--force'),
    NAMES,
  );
  if (!v) return null;
  if (!v.format) throw new UsageError(`--format is required (${FORMATS.join(', ')})`);
  if (!(FORMATS as readonly string[]).includes(v.format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${v.format}`);
  const format = v.format as ImportFormat;
  if (!v.in) throw new UsageError('--in PATH is required');
  if (!v.out) throw new UsageError('--out DIR is required');
  for (const name of NAMES) {
    if (v[name] !== undefined && !COMMON.includes(name) && !PER_FORMAT[format].includes(name))
      throw new UsageError(`--${name} does not apply to --format ${format}`);
  }
  const ids = v.ids ?? (format === 'lastfm-1k' ? 'dense' : 'source');
  if (ids !== 'source' && ids !== 'dense') throw new UsageError(`--ids must be source or dense, got ${ids}`);
  if (format === 'lastfm-1k' && ids !== 'dense') throw new UsageError('--format lastfm-1k has string ids: only --ids dense applies');
  const countScale = intOption(v, 'count-scale', 1, 1_000_000) ?? 1;
  return { input: v.in, out: v.out, force, ids, countScale, spec: formatOptions(format, v) };
}

function formatOptions(format: ImportFormat, v: Partial<Record<Name, string>>): FormatOptions {
  switch (format) {
    case 'movielens': {
      const count = v.count ?? 'rating';
      if (count !== 'one' && count !== 'rating') throw new UsageError(`--count must be one or rating for movielens, got ${count}`);
      return { format, options: { count } };
    }
    case 'recbole':
      return { format, options: { user: v.user ?? 'user_id', item: v.item ?? 'item_id', count: v.count, timestamp: v.timestamp } };
    case 'lastfm-1k': {
      const item = v.item ?? 'track';
      if (item !== 'track' && item !== 'artist') throw new UsageError(`--item must be track or artist for lastfm-1k, got ${item}`);
      return { format, options: { item } };
    }
    case 'csv': {
      let delimiter: string | undefined;
      if (v.delimiter !== undefined) {
        delimiter = DELIMITERS[v.delimiter] ?? v.delimiter;
        if ([...delimiter].length !== 1)
          throw new UsageError(`--delimiter must be tab, comma, semicolon, pipe or one character, got ${JSON.stringify(v.delimiter)}`);
      }
      const quote = v.quote === undefined ? '"' : v.quote === 'none' ? null : v.quote;
      if (quote !== null && [...quote].length !== 1)
        throw new UsageError(`--quote must be one character or none, got ${JSON.stringify(v.quote)}`);
      if (quote !== null && quote === delimiter) throw new UsageError('--quote and --delimiter must differ');
      if (!v.items && (v['item-id'] || v.name || v.artist || v.genre))
        throw new UsageError('--item-id, --name, --artist and --genre need --items PATH');
      const items = v.items ? { path: v.items, itemId: v['item-id'], name: v.name, artist: v.artist, genre: v.genre } : undefined;
      return { format, options: { delimiter, quote, user: v.user, item: v.item, count: v.count, timestamp: v.timestamp, items } };
    }
  }
}

export function renderSummary(s: ImportSummary, out: string, seconds: number): string {
  const lines = [
    `imported ${s.listens} listens (${s.users} users, ${s.items} items, total count ${s.totalCount}) into ${out} in ${seconds.toFixed(1)} s`,
    s.dated === 0
      ? 'listened_at: none (the source has no timestamps)'
      : `listened_at: ${s.firstListenedAt!.toISOString()} .. ${s.lastListenedAt!.toISOString()} (${s.dated === s.listens ? 'every listen' : `${s.dated} of ${s.listens} listens`})`,
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseImportArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`dataset-import: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  let tmp: string | null = null;
  let sink: ImportSink | null = null;
  // Ctrl-C must not leave the temporary directory behind.
  const onSignal = (signal: NodeJS.Signals) => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`dataset-import: interrupted (${signal}); ${args.out} left as it was\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(() => {
    if (sink) process.stderr.write(`[dataset-import] ${sink.listensSoFar.toLocaleString('en-US')} listens\n`);
  }, 5000);
  timer.unref();
  try {
    const summary = await runImport({
      ...args.spec,
      input: args.input,
      out: args.out,
      force: args.force,
      ids: args.ids,
      countScale: args.countScale,
      onTempDir: (dir) => (tmp = dir),
      onSink: (s) => (sink = s),
    });
    process.stdout.write(`${renderSummary(summary, args.out, (Date.now() - started) / 1000)}\n`);
    return 0;
  } catch (err) {
    // A file-system error (a --out that cannot be created, a full disk) is a message, not a stack.
    const fsError = err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
    if (!(err instanceof DatasetError || err instanceof OutputExistsError || fsError)) throw err;
    process.stderr.write(`dataset-import: ${err.message}\n`);
    return 1;
  } finally {
    clearInterval(timer);
    tmp = null;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dataset-import: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
