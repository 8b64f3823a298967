/**
 * Reading a source file line by line (gzip when the name ends in .gz), splitting delimited rows, and
 * the value parsers the importers share. Every problem is a DatasetError with file, line and field.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { DatasetError, isoDate } from '../ndjson-dataset.js';
import type { FieldFail } from './import-sink.js';

/**
 * The lines of a file, 1-based numbers, without a leading byte-order mark or a trailing \r. A read
 * error (a file that is not gzip, a disk error) is a DatasetError. A .gz cut short is not detected
 * by zlib's stream: its cut last line is then reported as a bad line.
 */
export async function* readLines(path: string): AsyncGenerator<[line: string, n: number]> {
  const file = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (err) => reject(new DatasetError(path, 0, `cannot read: ${err.message}`)));
  });
  const gunzip = path.endsWith('.gz') ? createGunzip() : null;
  const input = gunzip ? file.pipe(gunzip) : file;
  // pipe() does not forward the file's errors to the gzip stream that readline reads.
  if (gunzip) file.on('error', (err) => gunzip.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  // readline may just close on an error of its input: remember it.
  let streamError: Error | null = null;
  input.on('error', (err: Error) => (streamError ??= err));
  let n = 0;
  try {
    try {
      for await (const raw of lines) {
        n++;
        yield [n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw, n];
      }
      if (streamError) throw streamError;
    } catch (err) {
      if (err instanceof DatasetError) throw err;
      throw new DatasetError(path, n + 1, `cannot read${gunzip ? ' (gzip)' : ''}: ${(err as Error).message}`);
    }
  } finally {
    lines.close();
    file.destroy();
    gunzip?.destroy();
  }
}

/** A fail function bound to one line of one file. */
export function failAt(file: string, line: () => number): FieldFail {
  return (field, reason) => {
    throw new DatasetError(file, line(), reason, field);
  };
}

/** "name (column 3)": how errors name a column. */
export function columnName(name: string, index: number): string {
  return `${name} (column ${index + 1})`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number (rating, count, float timestamp). */
export function parseNumber(raw: string, field: string, fail: FieldFail): number {
  const v = raw.trim();
  if (!NUMBER.test(v)) return fail(field, `expected a number, got ${JSON.stringify(raw)}`);
  return Number(v);
}

/** Keeps dates that ISO-8601 without extended years can write (years 0000-9999). */
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Unix time in seconds (an integer or a decimal, as RecBole writes it), to a Date. */
export function parseUnixSeconds(raw: string, field: string, fail: FieldFail): Date {
  const seconds = parseNumber(raw, field, fail);
  const ms = Math.round(seconds * 1000);
  if (!(ms >= 0 && ms <= LAST_MS)) return fail(field, `unix time in seconds out of range (1970-9999): ${raw}`);
  return new Date(ms);
}

/** An ISO-8601 date-time, read as strictly as listens.ndjson's listened_at (no zone means UTC). */
export function parseIsoDateTime(raw: string, field: string, fail: FieldFail): Date {
  return isoDate(raw.trim(), 'value', (reason) => fail(field, reason.replace(/^value /, '')));
}

/** Unix seconds when the value is a number, else an ISO-8601 date-time. */
export function parseTimestamp(raw: string, field: string, fail: FieldFail): Date {
  return NUMBER.test(raw.trim()) ? parseUnixSeconds(raw, field, fail) : parseIsoDateTime(raw, field, fail);
}

/**
 * Splits one row. With a quote character, a field that starts with it is quoted (RFC 4180: a doubled
 * quote inside is one quote) and may hold the delimiter; null when its closing quote is not on this
 * text (the caller appends the next line and tries again). A quote inside an unquoted field is text.
 */
export function splitRow(text: string, delimiter: string, quote: string | null): string[] | null | { error: string; column: number } {
  if (quote === null || !text.includes(quote)) return text.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.startsWith(quote, i)) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const close = text.indexOf(quote, j);
        if (close < 0) return null;
        value += text.slice(j, close);
        if (text.startsWith(quote, close + 1)) {
          value += quote;
          j = close + 2;
          continue;
        }
        j = close + 1;
        break;
      }
      fields.push(value);
      if (j === text.length) return fields;
      if (!text.startsWith(delimiter, j)) return { error: 'text after a closing quote', column: fields.length - 1 };
      i = j + delimiter.length;
    } else {
      const end = text.indexOf(delimiter, i);
      if (end < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, end));
      i = end + delimiter.length;
    }
  }
}

/** A row with its first line number (a quoted field may run over several lines). */
export interface Row {
  fields: string[];
  line: number;
}

/** Rows of a delimited file; blank lines are skipped. */
export async function* readRows(path: string, delimiter: string, quote: string | null): AsyncGenerator<Row> {
  let pending: string | null = null;
  let start = 0;
  let last = 0;
  for await (const [line, n] of readLines(path)) {
    last = n;
    const text: string = pending === null ? line : `${pending}\n${line}`;
    if (pending === null) {
      if (line.trim() === '') continue;
      start = n;
    }
    const fields = splitRow(text, delimiter, quote);
    if (fields === null) {
      pending = text;
      continue;
    }
    pending = null;
    if (!Array.isArray(fields)) throw new DatasetError(path, start, fields.error, `column ${fields.column + 1}`);
    yield { fields, line: start };
  }
  if (pending !== null) throw new DatasetError(path, start, `quoted field not closed by the end of the file (line ${last})`);
}
