/**
 * Last.fm 1K (`userid-timestamp-artid-artname-traid-traname.tsv`): one listen a line, tab-separated,
 * no header: user id (`user_000001`), ISO-8601 time, artist MBID, artist name, track MBID, track name.
 * MBIDs may be empty. An item is a track (its MBID, else its artist and track names), or an artist
 * with `--item artist` (its MBID, else its name). Ids are numbered densely (see import-sink.ts).
 * Fields are not quoted: a `"` in a name is part of it.
 */
import type { FieldFail, ImportSink } from './import-sink.js';
import { columnName, failAt, parseIsoDateTime, readLines } from './source-input.js';

export interface LastfmOptions {
  item: 'track' | 'artist';
}

const COLUMNS = ['user', 'timestamp', 'artist_mbid', 'artist_name', 'track_mbid', 'track_name'] as const;
const NAMES = COLUMNS.map((c, i) => columnName(c, i));

export async function importLastfm1k(path: string, sink: ImportSink, options: LastfmOptions): Promise<void> {
  let n = 0;
  const fail: FieldFail = failAt(path, () => n);
  for await (const [line, lineNo] of readLines(path)) {
    n = lineNo;
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length < COLUMNS.length)
      fail(NAMES[f.length], `missing: the line has ${f.length} of the ${COLUMNS.length} tab-separated columns`);
    if (f.length > COLUMNS.length) fail(undefined, `${f.length} tab-separated columns, expected ${COLUMNS.length}`);
    const [user, time, artistMbid, artistName, trackMbid, trackName] = f;
    const userId = sink.userId(user, NAMES[0], fail);
    const listenedAt = parseIsoDateTime(time, NAMES[1], fail);
    let itemId: number;
    if (options.item === 'artist') {
      if (!artistMbid && !artistName) fail(NAMES[3], 'no artist: both artist MBID and artist name are empty');
      // An MBID is the key as it is; a name is prefixed with "name:", which no MBID starts with.
      itemId = sink.itemId(artistMbid || `name:${artistName}`, NAMES[2], fail);
      sink.describeItem(itemId, { name: artistName, artist: artistName });
    } else {
      if (!trackMbid && !trackName) fail(NAMES[5], 'no track: both track MBID and track name are empty');
      itemId = sink.itemId(trackMbid || `name:${artistMbid || artistName}\t${trackName}`, NAMES[4], fail);
      sink.describeItem(itemId, { name: trackName, artist: artistName });
    }
    const drained = sink.listen(userId, itemId, 1, undefined, listenedAt, fail);
    if (drained) await drained;
  }
}
