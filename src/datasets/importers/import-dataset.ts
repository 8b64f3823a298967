/**
 * One import: a source file in one of the formats below, converted into a data set directory
 * (docs/datasets.md). The directory is written beside --out under a temporary name and renamed into
 * place at the end, so --out never holds a half-written data set: a failed import leaves it as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DatasetError } from '../ndjson-dataset.js';
import { importCsv, type CsvOptions } from './csv.js';
import { ImportSink, type IdMode, type ImportSummary } from './import-sink.js';
import { importLastfm1k, type LastfmOptions } from './lastfm-1k.js';
import { importMovielens, type MovielensOptions } from './movielens.js';
import { importRecbole, type RecboleOptions } from './recbole.js';

export const FORMATS = ['movielens', 'recbole', 'lastfm-1k', 'csv'] as const;
export type ImportFormat = (typeof FORMATS)[number];

export type FormatOptions =
  | { format: 'movielens'; options: MovielensOptions }
  | { format: 'recbole'; options: RecboleOptions }
  | { format: 'lastfm-1k'; options: LastfmOptions }
  | { format: 'csv'; options: CsvOptions };

export type ImportRequest = FormatOptions & {
  input: string;
  out: string;
  /** Replace a non-empty --out. */
  force: boolean;
  ids: IdMode;
  countScale: number;
  /** Called with the temporary directory once it exists (a CLI removes it on SIGINT). */
  onTempDir?: (dir: string) => void;
  /** Called with the sink, to read progress while the import runs. */
  onSink?: (sink: ImportSink) => void;
};

/** --out exists and is not an empty directory, and --force was not given (or it is not a directory). */
export class OutputExistsError extends Error {
  override name = 'OutputExistsError';
}

/** What is at `out`: nothing, an empty directory, a directory with files, or something else. */
async function outState(out: string): Promise<'absent' | 'empty' | 'full' | 'not-a-directory'> {
  let s;
  try {
    s = await stat(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (!s.isDirectory()) return 'not-a-directory';
  return (await readdir(out)).length === 0 ? 'empty' : 'full';
}

async function checkOut(out: string, force: boolean): Promise<'absent' | 'empty' | 'full'> {
  const state = await outState(out);
  if (state === 'not-a-directory') throw new OutputExistsError(`${out} exists and is not a directory`);
  if (state === 'full' && !force) throw new OutputExistsError(`${out} exists and is not empty; --force replaces it`);
  return state;
}

export async function runImport(request: ImportRequest): Promise<ImportSummary> {
  const out = resolve(request.out);
  // Checked before the work, so a refused import costs nothing, and again before the rename.
  await checkOut(out, request.force);
  await mkdir(dirname(out), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(out), `.${basename(out)}.import-${tag}`);
  await mkdir(tmp);
  request.onTempDir?.(tmp);
  const sink = new ImportSink(tmp, { ids: request.ids, countScale: request.countScale });
  request.onSink?.(sink);
  try {
    switch (request.format) {
      case 'movielens':
        await importMovielens(request.input, sink, request.options);
        break;
      case 'recbole':
        await importRecbole(request.input, sink, request.options);
        break;
      case 'lastfm-1k':
        await importLastfm1k(request.input, sink, request.options);
        break;
      case 'csv':
        await importCsv(request.input, sink, request.options);
        break;
    }
    const summary = await sink.finish();
    if (summary.listens === 0) throw new DatasetError(request.input, 0, 'no listens in the file');
    await moveIntoPlace(tmp, out, request.force, tag);
    return summary;
  } catch (err) {
    sink.abort();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * rename(2) replaces only an empty directory, so a full one is first moved aside and removed once
 * the new one is in place (and moved back if that fails): --out is always a whole data set or absent.
 */
async function moveIntoPlace(tmp: string, out: string, force: boolean, tag: string): Promise<void> {
  const state = await checkOut(out, force);
  if (state === 'empty') await rm(out, { recursive: true });
  if (state !== 'full') {
    await rename(tmp, out);
    return;
  }
  const old = join(dirname(out), `.${basename(out)}.replaced-${tag}`);
  await rename(out, old);
  try {
    await rename(tmp, out);
  } catch (err) {
    await rename(old, out);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
