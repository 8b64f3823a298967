import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputExistsError, runImport, type ImportRequest } from '../../../src/datasets/importers/import-dataset.js';
import { ITEM_ID_OFFSET } from '../../../src/datasets/importers/import-sink.js';
import { detectDelimiter } from '../../../src/datasets/importers/csv.js';
import { splitRow } from '../../../src/datasets/importers/source-input.js';
import { DatasetError, readDataset } from '../../../src/datasets/ndjson-dataset.js';

let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dataset-import-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh directory holding the given files; returns its path. */
function files(contents: Record<string, string | Buffer>): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  return dir;
}

type Spec = Pick<ImportRequest, 'format' | 'options'> & Partial<Omit<ImportRequest, 'format' | 'options'>>;

function request(spec: Spec, input: string, out: string): ImportRequest {
  return { ids: spec.format === 'lastfm-1k' ? 'dense' : 'source', countScale: 1, force: false, ...spec, input, out } as ImportRequest;
}

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function failure(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

const item = (n: number) => ITEM_ID_OFFSET + n;

describe('movielens (u.data)', () => {
  const data = '196\t242\t3\t881250949\n186\t302\t5\t891717742\n\n196\t302\t1\t878887116\n';

  it('keeps user ids, offsets item ids, count = rating, listened_at from unix seconds', async () => {
    const dir = files({ 'u.data': data });
    const out = join(dir, 'out');
    const summary = await runImport(request({ format: 'movielens', options: { count: 'rating' } }, join(dir, 'u.data'), out));
    expect(summary).toMatchObject({ listens: 3, users: 2, items: 2, totalCount: 9, dated: 3 });
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 196, track_id: item(242), count: 3, listened_at: '1997-12-04T15:55:49.000Z' },
      { user_id: 186, track_id: item(302), count: 5, listened_at: '1998-04-04T19:22:22.000Z' },
      { user_id: 196, track_id: item(302), count: 1, listened_at: '1997-11-07T07:18:36.000Z' },
    ]);
    expect(lines(join(out, 'users.ndjson'))).toEqual([
      { id: 186, source_id: '186' },
      { id: 196, source_id: '196' },
    ]);
    expect(lines(join(out, 'tracks.ndjson'))).toEqual([
      { id: item(242), source_id: '242' },
      { id: item(302), source_id: '302' },
    ]);
    // What the importer writes is what the rest of the project reads.
    const read = await readDataset(out);
    expect(read.listens).toHaveLength(3);
    expect(read.tracks?.map((t) => t.id)).toEqual([item(242), item(302)]);
  });

  it('--count one, --count-scale, the ratings.dat "::" layout and dense ids', async () => {
    const dir = files({ 'ratings.dat': '7::42::4::978300760\n7::43::2::978300761\n9::42::5::978300762\n' });
    const one = join(dir, 'one');
    await runImport(request({ format: 'movielens', options: { count: 'one' }, countScale: 1000 }, join(dir, 'ratings.dat'), one));
    expect(lines(join(one, 'listens.ndjson')).map((l) => l.count)).toEqual([1000, 1000, 1000]);
    const dense = join(dir, 'dense');
    await runImport(request({ format: 'movielens', options: { count: 'rating' }, ids: 'dense' }, join(dir, 'ratings.dat'), dense));
    expect(lines(join(dense, 'listens.ndjson')).map((l) => [l.user_id, l.track_id, l.count])).toEqual([
      [1, item(1), 4],
      [1, item(2), 2],
      [2, item(1), 5],
    ]);
    expect(lines(join(dense, 'users.ndjson'))).toEqual([
      { id: 1, source_id: '7' },
      { id: 2, source_id: '9' },
    ]);
  });

  it('half-star ratings need --count-scale 2', async () => {
    const dir = files({ 'u.data': '1\t1\t4\t881250949\n1\t2\t3.5\t881250950\n' });
    const err = await failure(
      runImport(request({ format: 'movielens', options: { count: 'rating' } }, join(dir, 'u.data'), join(dir, 'out'))),
    );
    expect(err.message).toBe(`${join(dir, 'u.data')}:2: rating (column 3): count must be an integer >= 1, got 3.5`);
    await runImport(request({ format: 'movielens', options: { count: 'rating' }, countScale: 2 }, join(dir, 'u.data'), join(dir, 'out')));
    expect(lines(join(dir, 'out', 'listens.ndjson')).map((l) => l.count)).toEqual([8, 7]);
  });

  it('a bad line names the file, the line and the field', async () => {
    const good = '1\t1\t3\t881250949\n';
    const cases: [string, number, string | undefined, RegExp][] = [
      [`${good}2\t1\tfive\t881250949\n`, 2, 'rating (column 3)', /expected a number, got "five"/],
      [`${good}${good}2\t1\t3\tyesterday\n`, 3, 'timestamp (column 4)', /expected a number/],
      [`${good}2\t1\t3\n`, 2, 'timestamp (column 4)', /missing: the line has 3 of the 4 columns/],
      [`${good}2\t1\t3\t1\t9\n`, 2, undefined, /5 columns, expected 4/],
      [`${good}u2\t1\t3\t881250949\n`, 2, 'user (column 1)', /user id "u2" is not an integer .*--ids dense/],
      [`${good}2\t\t3\t881250949\n`, 2, 'item (column 2)', /empty item id/],
      [`${good}2\t1\t0\t881250949\n`, 2, 'rating (column 3)', /count must be an integer >= 1, got 0/],
      [`${good}2\t1\t3\t99999999999999\n`, 2, 'timestamp (column 4)', /out of range/],
    ];
    for (const [content, line, field, reason] of cases) {
      const dir = files({ 'u.data': content });
      const err = await failure(
        runImport(request({ format: 'movielens', options: { count: 'rating' } }, join(dir, 'u.data'), join(dir, 'out'))),
      );
      expect(err.file).toBe(join(dir, 'u.data'));
      expect(err.line).toBe(line);
      expect(err.field).toBe(field);
      expect(err.reason).toMatch(reason);
      expect(err.message.startsWith(`${join(dir, 'u.data')}:${line}: ${field ? `${field}: ` : ''}`)).toBe(true);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
  });
});

describe('recbole (.inter)', () => {
  it('finds the columns by their header names, in any order', async () => {
    const dir = files({
      'x.inter':
        'timestamp:float\titem_id:token\tuser_id:token\trating:float\textra:token\n881250949.0\t242\t196\t3.0\tz\n891717742\t302\t186\t4\tz\n',
    });
    const out = join(dir, 'out');
    await runImport(request({ format: 'recbole', options: { user: 'user_id', item: 'item_id' } }, join(dir, 'x.inter'), out));
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 196, track_id: item(242), count: 3, listened_at: '1997-12-04T15:55:49.000Z' },
      { user_id: 186, track_id: item(302), count: 4, listened_at: '1998-04-04T19:22:22.000Z' },
    ]);
  });

  it('without a rating column every line counts 1; without a timestamp column there is no listened_at', async () => {
    const dir = files({ 'x.inter': 'user_id:token\titem_id:token\n1\t2\n1\t3\n' });
    const out = join(dir, 'out');
    const summary = await runImport(
      request({ format: 'recbole', options: { user: 'user_id', item: 'item_id' } }, join(dir, 'x.inter'), out),
    );
    expect(summary.dated).toBe(0);
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 1, track_id: item(2), count: 1 },
      { user_id: 1, track_id: item(3), count: 1 },
    ]);
  });

  it('--count names another column or one; string tokens need --ids dense', async () => {
    const dir = files({ 'x.inter': 'user_id:token\tartist_id:token\tweight:float\nu1\ta\t12\nu2\ta\t3\n' });
    await runImport(
      request(
        { format: 'recbole', options: { user: 'user_id', item: 'artist_id', count: 'weight' }, ids: 'dense' },
        join(dir, 'x.inter'),
        join(dir, 'w'),
      ),
    );
    expect(lines(join(dir, 'w', 'listens.ndjson'))).toEqual([
      { user_id: 1, track_id: item(1), count: 12 },
      { user_id: 2, track_id: item(1), count: 3 },
    ]);
    const err = await failure(
      runImport(request({ format: 'recbole', options: { user: 'user_id', item: 'artist_id' } }, join(dir, 'x.inter'), join(dir, 's'))),
    );
    expect(err.message).toMatch(/x\.inter:2: user_id:token \(column 1\): user id "u1" is not an integer/);
  });

  it('a missing named column is an error on the header; a bad line names its column', async () => {
    const dir = files({ 'x.inter': 'user_id:token\titem_id:token\trating:float\n1\t2\t4\n1\t3\tNaN\n' });
    const noTime = await failure(
      runImport(
        request(
          { format: 'recbole', options: { user: 'user_id', item: 'item_id', timestamp: 'when' } },
          join(dir, 'x.inter'),
          join(dir, 'out'),
        ),
      ),
    );
    expect(noTime.message).toBe(
      `${join(dir, 'x.inter')}:1: header: no column "when" (--timestamp); the columns are user_id:token, item_id:token, rating:float`,
    );
    const bad = await failure(
      runImport(request({ format: 'recbole', options: { user: 'user_id', item: 'item_id' } }, join(dir, 'x.inter'), join(dir, 'out'))),
    );
    expect(bad.message).toBe(`${join(dir, 'x.inter')}:3: rating:float (column 3): expected a number, got "NaN"`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('lastfm-1k', () => {
  const MB = (c: string) => `${c.repeat(8)}-${c.repeat(4)}-${c.repeat(4)}-${c.repeat(4)}-${c.repeat(12)}`;
  const tsv = [
    `user_000001\t2009-05-04T23:08:57Z\t${MB('a')}\tDeep Dish\t${MB('1')}\tFuck Me Im Famous`,
    `user_000001\t2009-05-04T13:54:10Z\t${MB('b')}\t坂本龍一\t\tComposition 0919 (Live_2009_4_15)`,
    `user_000002\t2009-05-04T13:52:04Z\t${MB('b')}\t坂本龍一\t\tComposition 0919 (Live_2009_4_15)`,
    `user_000002\t2009-05-03T15:48:25Z\t\t"Weird Al" Yankovic\t${MB('1')}\tFuck Me Im Famous`,
    `user_000003\t2009-05-03T15:37:56Z\t\t"Weird Al" Yankovic\t\tAmish Paradise`,
  ].join('\n');

  it('numbers users and tracks densely (tracks by MBID, else by names), one listen a line, names and artists in tracks.ndjson', async () => {
    const dir = files({ 'l.tsv': `${tsv}\n` });
    const out = join(dir, 'out');
    const summary = await runImport(request({ format: 'lastfm-1k', options: { item: 'track' } }, join(dir, 'l.tsv'), out));
    expect(summary).toMatchObject({ listens: 5, users: 3, items: 3, totalCount: 5, dated: 5 });
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 1, track_id: item(1), count: 1, listened_at: '2009-05-04T23:08:57.000Z' },
      { user_id: 1, track_id: item(2), count: 1, listened_at: '2009-05-04T13:54:10.000Z' },
      { user_id: 2, track_id: item(2), count: 1, listened_at: '2009-05-04T13:52:04.000Z' },
      { user_id: 2, track_id: item(1), count: 1, listened_at: '2009-05-03T15:48:25.000Z' },
      { user_id: 3, track_id: item(3), count: 1, listened_at: '2009-05-03T15:37:56.000Z' },
    ]);
    expect(lines(join(out, 'users.ndjson'))).toEqual([
      { id: 1, source_id: 'user_000001' },
      { id: 2, source_id: 'user_000002' },
      { id: 3, source_id: 'user_000003' },
    ]);
    expect(lines(join(out, 'tracks.ndjson'))).toEqual([
      { id: item(1), source_id: MB('1'), name: 'Fuck Me Im Famous', artist: 'Deep Dish' },
      {
        id: item(2),
        source_id: `name:${MB('b')}\tComposition 0919 (Live_2009_4_15)`,
        name: 'Composition 0919 (Live_2009_4_15)',
        artist: '坂本龍一',
      },
      { id: item(3), source_id: `name:"Weird Al" Yankovic\tAmish Paradise`, name: 'Amish Paradise', artist: '"Weird Al" Yankovic' },
    ]);
    const read = await readDataset(out);
    expect(read.tracks?.map((t) => t.artist)).toEqual(['Deep Dish', '坂本龍一', '"Weird Al" Yankovic']);
  });

  it('--item artist: artists by MBID, else by name; gzip input', async () => {
    const dir = files({ 'l.tsv.gz': gzipSync(`${tsv}\n`) });
    const out = join(dir, 'out');
    const summary = await runImport(request({ format: 'lastfm-1k', options: { item: 'artist' } }, join(dir, 'l.tsv.gz'), out));
    expect(summary).toMatchObject({ listens: 5, users: 3, items: 3 });
    expect(lines(join(out, 'listens.ndjson')).map((l) => l.track_id)).toEqual([item(1), item(2), item(2), item(3), item(3)]);
    expect(lines(join(out, 'tracks.ndjson')).map((t) => [t.source_id, t.name])).toEqual([
      [MB('a'), 'Deep Dish'],
      [MB('b'), '坂本龍一'],
      ['name:"Weird Al" Yankovic', '"Weird Al" Yankovic'],
    ]);
  });

  it('a bad line names the file, the line and the field', async () => {
    const good = `user_000001\t2009-05-04T23:08:57Z\t\tA\t\tT\n`;
    const cases: [string, number, string | undefined, RegExp][] = [
      [
        `${good}user_000001\t05/04/2009 23:08\t\tA\t\tT\n`,
        2,
        'timestamp (column 2)',
        /must be an ISO-8601 date-time string, got "05\/04\/2009 23:08"/,
      ],
      [`${good}user_000001\t2009-02-30T23:08:57Z\t\tA\t\tT\n`, 2, 'timestamp (column 2)', /not a valid date-time/],
      [`${good}${good}user_000001\t2009-05-04T23:08:57Z\t\tA\t\t\n`, 3, 'track_name (column 6)', /no track/],
      [`${good}user_000001\t2009-05-04T23:08:57Z\t\tA\n`, 2, 'track_mbid (column 5)', /missing: the line has 4 of the 6/],
      [`${good}\t2009-05-04T23:08:57Z\t\tA\t\tT\n`, 2, 'user (column 1)', /empty user id/],
    ];
    for (const [content, line, field, reason] of cases) {
      const dir = files({ 'l.tsv': content });
      const err = await failure(
        runImport(request({ format: 'lastfm-1k', options: { item: 'track' } }, join(dir, 'l.tsv'), join(dir, 'out'))),
      );
      expect([err.file, err.line, err.field]).toEqual([join(dir, 'l.tsv'), line, field]);
      expect(err.reason).toMatch(reason);
    }
  });
});

describe('csv', () => {
  it('detects the delimiter, reads quoted fields, unix or ISO timestamps, default column names', async () => {
    const dir = files({
      'l.csv':
        'user_id,track_id,count,timestamp,comment\n10,5,2,1700000000,"hi, there"\n10,6,1,2023-11-14T22:13:21Z,"multi\nline ""quoted"""\r\n11,5,7,2023-11-14 22:13:21,x\n',
    });
    const out = join(dir, 'out');
    await runImport(request({ format: 'csv', options: { quote: '"' } }, join(dir, 'l.csv'), out));
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 10, track_id: item(5), count: 2, listened_at: '2023-11-14T22:13:20.000Z' },
      { user_id: 10, track_id: item(6), count: 1, listened_at: '2023-11-14T22:13:21.000Z' },
      { user_id: 11, track_id: item(5), count: 7, listened_at: '2023-11-14T22:13:21.000Z' },
    ]);
  });

  it('named columns in a TSV, no count or timestamp column, item metadata from a second file (items nobody listened to included)', async () => {
    const dir = files({
      'plays.tsv': 'who\twhat\tplays\nalice\tt2\t30\nbob\tt1\t4\nalice\tt9\t1\n',
      'items.csv': 'song;title;singer;style\nt1;One;Ann;Rock|Pop\nt2;"Two; too";Bo;\nt3;Three;Cy;Jazz\n',
    });
    const out = join(dir, 'out');
    const summary = await runImport(
      request(
        {
          format: 'csv',
          ids: 'dense',
          options: {
            quote: '"',
            user: 'who',
            item: 'what',
            count: 'plays',
            items: { path: join(dir, 'items.csv'), itemId: 'song', name: 'title', artist: 'singer', genre: 'style' },
          },
        },
        join(dir, 'plays.tsv'),
        out,
      ),
    );
    expect(summary).toMatchObject({ listens: 3, users: 2, items: 4, totalCount: 35, dated: 0 });
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 1, track_id: item(2), count: 30 },
      { user_id: 2, track_id: item(1), count: 4 },
      { user_id: 1, track_id: item(4), count: 1 },
    ]);
    expect(lines(join(out, 'tracks.ndjson'))).toEqual([
      { id: item(1), source_id: 't1', name: 'One', artist: 'Ann', genres: ['Rock', 'Pop'] },
      { id: item(2), source_id: 't2', name: 'Two; too', artist: 'Bo' },
      { id: item(3), source_id: 't3', name: 'Three', artist: 'Cy', genres: ['Jazz'] },
      { id: item(4), source_id: 't9' },
    ]);
    const read = await readDataset(out);
    expect(read.tracks?.[0].genres).toEqual(['Rock', 'Pop']);
  });

  it('--count one, --delimiter, --quote none', async () => {
    const dir = files({ 'l.txt': 'user_id|item_id|count\n1|"2|3\n' });
    const out = join(dir, 'out');
    const err = await failure(runImport(request({ format: 'csv', options: { quote: '"', delimiter: '|' } }, join(dir, 'l.txt'), out)));
    expect(err.message).toMatch(/l\.txt:2: quoted field not closed by the end of the file/);
    await runImport(
      request(
        { format: 'csv', options: { quote: null, delimiter: '|', count: 'one', item: 'item_id' }, ids: 'dense' },
        join(dir, 'l.txt'),
        out,
      ),
    );
    expect(lines(join(out, 'listens.ndjson'))).toEqual([{ user_id: 1, track_id: item(1), count: 1 }]);
    expect(lines(join(out, 'tracks.ndjson'))).toEqual([{ id: item(1), source_id: '"2' }]);
  });

  it('bad rows and headers name the file, the line and the column', async () => {
    const header = 'user_id,item_id,count,timestamp\n';
    const good = '1,2,3,1700000000\n';
    const cases: [Record<string, string>, number, string | undefined, RegExp][] = [
      [{ 'l.csv': `${header}${good}1,2,0,1700000000\n` }, 3, 'count (column 3)', /count must be an integer >= 1, got 0/],
      [{ 'l.csv': `${header}${good}1,2,3,someday\n` }, 3, 'timestamp (column 4)', /ISO-8601/],
      [{ 'l.csv': `${header}${good}1,2,3\n` }, 3, 'timestamp (column 4)', /missing/],
      [{ 'l.csv': `${header}${good}1,2,3,4,5\n` }, 3, undefined, /5 columns, the header has 4/],
      [{ 'l.csv': `${header}1,"2"x,3,4\n` }, 2, 'column 2', /text after a closing quote/],
      [{ 'l.csv': 'uid,item_id\n1,2\n' }, 1, 'header', /no column "user_id" \(--user\); the columns are uid, item_id/],
      [{ 'l.csv': 'useritem\n1\n' }, 1, 'header', /cannot tell the delimiter/],
    ];
    for (const [contents, line, field, reason] of cases) {
      const dir = files(contents);
      const err = await failure(runImport(request({ format: 'csv', options: { quote: '"' } }, join(dir, 'l.csv'), join(dir, 'out'))));
      expect([err.file, err.line, err.field]).toEqual([join(dir, 'l.csv'), line, field]);
      expect(err.reason).toMatch(reason);
    }
    const dir = files({ 'l.csv': `${header}${good}`, 'i.csv': 'item_id,name\n2,A\n3,B\n2,C\n' });
    const dup = await failure(
      runImport(
        request({ format: 'csv', options: { quote: '"', items: { path: join(dir, 'i.csv') } } }, join(dir, 'l.csv'), join(dir, 'out')),
      ),
    );
    expect(dup.message).toBe(`${join(dir, 'i.csv')}:4: item_id (column 1): duplicate item id "2" (first on line 2)`);
  });

  it('splitRow and detectDelimiter', () => {
    expect(splitRow('a,"b,c",,"d""e"', ',', '"')).toEqual(['a', 'b,c', '', 'd"e']);
    expect(splitRow('a,"b', ',', '"')).toBeNull();
    expect(splitRow('a\tsay "hi"\tc', '\t', '"')).toEqual(['a', 'say "hi"', 'c']);
    expect(detectDelimiter('user_id;item_id;"a,b"', '"')).toBe(';');
    expect(detectDelimiter('user\titem\tcount', '"')).toBe('\t');
    expect(detectDelimiter('single', '"')).toBeNull();
  });
});

describe('atomic output', () => {
  const good = '1\t2\t3\t881250949\n';
  const bad = `${good}${good.repeat(50_000)}1\t2\tx\t881250949\n`;
  const ml = { format: 'movielens', options: { count: 'rating' } } as const;

  function siblings(dir: string): string[] {
    return readdirSync(dir).sort();
  }

  it('a failing import leaves --out absent and no temporary directory behind, even after writing many lines', async () => {
    const dir = files({ 'u.data': bad });
    await failure(runImport(request(ml, join(dir, 'u.data'), join(dir, 'deep', 'out'))));
    expect(existsSync(join(dir, 'deep', 'out'))).toBe(false);
    expect(siblings(join(dir, 'deep'))).toEqual([]);
  });

  it('refuses a non-empty --out without --force, before reading anything; an empty one is used', async () => {
    const dir = files({ 'u.data': good });
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'keep.txt'), 'mine');
    const err = await runImport(request(ml, join(dir, 'missing.data'), join(dir, 'out'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputExistsError);
    expect((err as Error).message).toBe(`${join(dir, 'out')} exists and is not empty; --force replaces it`);
    expect(readFileSync(join(dir, 'out', 'keep.txt'), 'utf8')).toBe('mine');
    mkdirSync(join(dir, 'empty'));
    await runImport(request(ml, join(dir, 'u.data'), join(dir, 'empty')));
    expect(siblings(join(dir, 'empty'))).toEqual(['listens.ndjson', 'tracks.ndjson', 'users.ndjson']);
    writeFileSync(join(dir, 'file'), 'x');
    await expect(runImport(request({ ...ml, force: true }, join(dir, 'u.data'), join(dir, 'file')))).rejects.toThrow(
      /exists and is not a directory/,
    );
  });

  it('--force replaces a data set whole; a failing --force import leaves the old one untouched', async () => {
    const dir = files({ 'u.data': good, 'bad.data': bad, 'other.data': '5\t6\t1\t881250949\n' });
    const out = join(dir, 'out');
    await runImport(request(ml, join(dir, 'u.data'), out));
    const before = readFileSync(join(out, 'listens.ndjson'), 'utf8');
    await failure(runImport(request({ ...ml, force: true }, join(dir, 'bad.data'), out)));
    expect(readFileSync(join(out, 'listens.ndjson'), 'utf8')).toBe(before);
    writeFileSync(join(out, 'stale.txt'), 'from before');
    await runImport(request({ ...ml, force: true }, join(dir, 'other.data'), out));
    expect(siblings(out)).toEqual(['listens.ndjson', 'tracks.ndjson', 'users.ndjson']);
    expect(lines(join(out, 'listens.ndjson'))).toEqual([
      { user_id: 5, track_id: item(6), count: 1, listened_at: '1997-12-04T15:55:49.000Z' },
    ]);
    expect(siblings(dir)).toEqual(['bad.data', 'other.data', 'out', 'u.data']);
  });

  it('an unreadable input or an empty one is an error naming the file', async () => {
    const dir = files({ 'empty.data': '\n' });
    const missing = await failure(runImport(request(ml, join(dir, 'nope.data'), join(dir, 'out'))));
    expect(missing.message).toMatch(/nope\.data: cannot read: ENOENT/);
    const empty = await failure(runImport(request(ml, join(dir, 'empty.data'), join(dir, 'out'))));
    expect(empty.message).toBe(`${join(dir, 'empty.data')}: no listens in the file`);
    writeFileSync(join(dir, 'not.gz'), 'plain text');
    const notGzip = await failure(runImport(request(ml, join(dir, 'not.gz'), join(dir, 'out'))));
    expect(notGzip.message).toBe(`${join(dir, 'not.gz')}:1: cannot read (gzip): incorrect header check`);
    expect(siblings(dir)).toEqual(['empty.data', 'not.gz']);
  });
});
