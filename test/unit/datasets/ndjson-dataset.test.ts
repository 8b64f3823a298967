import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  readDataset,
  readListensFile,
  readTracksFile,
  writeDataset,
  writeListensFile,
} from '../../../src/datasets/ndjson-dataset.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ndjson-dataset-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function expectError(path: string, content: string, read: (p: string) => Promise<unknown>, line: number, reason: RegExp) {
  writeFileSync(path, content);
  const err = await read(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  const d = err as DatasetError;
  expect(d.file).toBe(path);
  expect(d.line).toBe(line);
  expect(d.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: `));
  expect(d.reason).toMatch(reason);
}

describe('ndjson data set', () => {
  it('reads listens: count defaults to 1, listened_at parsed, blank lines ignored', async () => {
    const p = join(dir, 'ok.ndjson');
    writeFileSync(
      p,
      '\ufeff{"user_id":1,"track_id":1,"count":3,"listened_at":"2026-01-02T03:04:05Z"}\n\n{"user_id":1,"track_id":2}\r\n{"user_id":2,"track_id":1,"listened_at":null}\n' +
        '{"user_id":2,"track_id":2,"listened_at":"2026-01-02 03:04:05"}\n{"user_id":2,"track_id":3,"listened_at":"2026-01-02T05:04:05.5+02:00"}\n{"user_id":2,"track_id":4,"listened_at":"2026-01-02"}\n',
    );
    const listens = await readListensFile(p);
    expect(listens).toEqual([
      { userId: 1, trackId: 1, count: 3, listenedAt: new Date('2026-01-02T03:04:05Z') },
      { userId: 1, trackId: 2, count: 1 },
      { userId: 2, trackId: 1, count: 1 },
      { userId: 2, trackId: 2, count: 1, listenedAt: new Date('2026-01-02T03:04:05Z') },
      { userId: 2, trackId: 3, count: 1, listenedAt: new Date('2026-01-02T03:04:05.5Z') },
      { userId: 2, trackId: 4, count: 1, listenedAt: new Date('2026-01-02T00:00:00Z') },
    ]);
  });

  it('stops at the first bad line, naming the file and the line', async () => {
    const p = join(dir, 'bad.ndjson');
    const good = '{"user_id":1,"track_id":1}\n';
    await expectError(p, `${good}{"user_id":1,"track_id":1\n`, readListensFile, 2, /not valid JSON/);
    await expectError(p, `${good}${good}[1,2]\n`, readListensFile, 3, /expected a JSON object/);
    await expectError(p, `{"track_id":1}\n`, readListensFile, 1, /missing user_id/);
    await expectError(p, `${good}{"user_id":1.5,"track_id":1}\n`, readListensFile, 2, /user_id must be an integer/);
    await expectError(p, `${good}{"user_id":1,"track_id":1,"count":0}\n`, readListensFile, 2, /count must be an integer >= 1/);
    await expectError(
      p,
      `${good}{"user_id":1,"track_id":1,"listened_at":"yesterday"}\n`,
      readListensFile,
      2,
      /listened_at must be an ISO-8601/,
    );
    await expectError(p, `${good}{"user_id":1,"track_id":1,"listened_at":"2026-02-30T00:00:00Z"}\n`, readListensFile, 2, /listened_at/);
    await expectError(p, `{"id":1,"genres":"Rock"}\n{"id":1}\n`, readTracksFile, 2, /duplicate track id 1 \(first on line 1\)/);
    await expectError(p, `{"id":1,"genres":[1]}\n`, readTracksFile, 1, /genres must be a string or an array of strings/);
  });

  it('reads a directory; tracks and users only when present; a missing listens file is an error', async () => {
    const d = join(dir, 'set');
    await mkdir(d, { recursive: true });
    writeFileSync(join(d, 'listens.ndjson'), '{"user_id":1,"track_id":1}\n');
    expect(await readDataset(d)).toEqual({ listens: [{ userId: 1, trackId: 1, count: 1 }] });
    writeFileSync(join(d, 'tracks.ndjson'), '{"id":1,"name":"A","artist":"X","genres":"Rock"}\n{"id":2,"genres":["Pop","Jazz"]}\n');
    writeFileSync(join(d, 'users.ndjson'), '{"id":1,"favorite_genres":"Rock"}\n');
    const ds = await readDataset(d);
    expect(ds.tracks).toEqual([
      { id: 1, artist: 'X', genres: ['Rock'], raw: { id: 1, name: 'A', artist: 'X', genres: 'Rock' } },
      { id: 2, genres: ['Pop', 'Jazz'], raw: { id: 2, genres: ['Pop', 'Jazz'] } },
    ]);
    expect(ds.users).toEqual([{ id: 1, favoriteGenres: ['Rock'], raw: { id: 1, favorite_genres: 'Rock' } }]);
    await expect(readDataset(join(dir, 'nowhere'))).rejects.toThrow(/listens\.ndjson: required file not found/);
  });

  it('writes what it reads', async () => {
    const d = join(dir, 'round');
    const listens = [
      { userId: 3, trackId: 3, count: 2, listenedAt: new Date('2026-01-01T00:00:00.123Z') },
      { userId: 4, trackId: 1, count: 1 },
    ];
    await writeDataset(d, { listens, tracks: [{ id: 3, raw: { id: 3, name: 'x' } }] });
    const back = await readDataset(d);
    expect(back.listens).toEqual(listens);
    expect(back.tracks).toEqual([{ id: 3, raw: { id: 3, name: 'x' } }]);
    const many = Array.from({ length: 20_000 }, (_, i) => ({ userId: i, trackId: i % 7, count: 1 + (i % 3) }));
    await writeListensFile(join(d, 'many.ndjson'), many);
    expect(await readListensFile(join(d, 'many.ndjson'))).toEqual(many);
  });
});
