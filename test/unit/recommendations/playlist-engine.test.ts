import { describe, expect, it } from 'vitest';
import { CatalogueIndex } from '../../../src/recommendations/catalogue-index.js';
import { parseExperiments } from '../../../src/recommendations/experiments.js';
import { PlaylistEngine, type RunModels } from '../../../src/recommendations/playlist-engine.js';
import type { LoadedModel } from '../../../src/recommendations/production-models.js';
import { randomCatalogue } from './fixtures.js';

const RULES = { size: 12, maxPerArtist: 2 };

function engine(seed: number, models: Partial<RunModels> = {}, experiments = '[]') {
  const data = randomCatalogue(seed);
  const index = CatalogueIndex.build(data.tracks, data.histories);
  return {
    data,
    engine: new PlaylistEngine(
      index,
      new Map(data.users.map((u) => [u.id, u])),
      new Map(data.histories.map((h) => [h.userId, h])),
      parseExperiments(experiments),
      { canaryPercent: 0, pinned: new Map(), ...models },
      RULES,
    ),
  };
}

/** A model that ranks tracks by descending id, and counts its calls. */
function fakeModel(
  version: string,
  answer = (k: number, exclude: ReadonlySet<number>) =>
    Array.from({ length: 300 }, (_, i) => 300 - i)
      .filter((t) => !exclude.has(t))
      .slice(0, k),
): LoadedModel & { calls: number } {
  return {
    version,
    calls: 0,
    recommend(_userId, _listened, k, exclude) {
      this.calls++;
      return answer(k, exclude).map((trackId, i) => ({ trackId, score: 1 - i / 1000 }));
    },
  };
}

describe('PlaylistEngine', () => {
  it('follows the playlist rules for every user: size, nothing heard, artist cap', async () => {
    const { data, engine: e } = engine(11);
    for (const u of data.users) {
      const p = (await e.compute(u.id))!;
      const heard = new Set(data.histories.find((h) => h.userId === u.id)!.items);
      expect(p.tracks).toHaveLength(RULES.size);
      expect(p.tracks.filter((t) => heard.has(t.trackId))).toEqual([]);
      const perArtist = new Map<string, number>();
      for (const t of p.tracks) perArtist.set(e.index.artistOf(t.trackId)!, (perArtist.get(e.index.artistOf(t.trackId)!) ?? 0) + 1);
      expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(RULES.maxPerArtist);
      expect(new Set(p.tracks.map((t) => t.trackId)).size).toBe(RULES.size);
    }
  });

  it('gives the same playlist for the same data (deterministic, ties by track id)', async () => {
    const a = engine(12).engine;
    const b = engine(12).engine;
    for (const id of [10_000, 10_050, 10_199]) expect(await a.compute(id)).toEqual(await b.compute(id));
  });

  it('skips unknown and inactive users', async () => {
    const { data, engine: e } = engine(13);
    expect(await e.compute(1)).toBeNull();
    (data.users[0] as { active: boolean }).active = false;
    expect(await e.compute(data.users[0]!.id)).toBeNull();
  });

  it('serves the production model, labelled with its version, and completes a short model list with the hybrid', async () => {
    const short = fakeModel('v1', () => [300, 299]);
    const { engine: e } = engine(14, { production: short });
    const p = (await e.compute(10_003))!;
    expect(p).toMatchObject({ recommender: 'model', modelVersion: 'v1', arm: { variant: 'production' }, armKey: 'production|model|v1' });
    const fromModel = [300, 299].filter((t) => !e.histories.get(10_003)!.items.includes(t));
    expect(fromModel.length).toBeGreaterThan(0);
    expect(p.tracks.slice(0, fromModel.length).map((t) => t.trackId)).toEqual(fromModel);
    expect(p.tracks).toHaveLength(RULES.size);
    expect(short.calls).toBe(1);
  });

  it('takes the model lists of a batch computed ahead in one call, and gives the same playlists', async () => {
    const batched = fakeModel('v1');
    const requested: Array<{ userIds: number[]; k: number }> = [];
    batched.recommendMany = async (requests, k) => {
      requested.push({ userIds: requests.map((r) => r.userId), k });
      return requests.map((r) =>
        Array.from({ length: 300 }, (_, i) => 300 - i)
          .filter((t) => !r.listened.includes(t))
          .slice(0, k)
          .map((trackId, i) => ({ trackId, score: 1 - i / 1000 })),
      );
    };
    const ahead = engine(18, { production: batched });
    const oneByOne = engine(18, { production: fakeModel('v1') });
    const userIds = ahead.data.users.map((u) => u.id).slice(0, 40);
    for (const e of [ahead, oneByOne]) (e.data.users[3] as { active: boolean }).active = false;
    await ahead.engine.prepare(userIds);
    expect(requested).toEqual([{ userIds: userIds.filter((id) => id !== ahead.data.users[3]!.id), k: ahead.engine.modelListSize }]);
    for (const id of userIds) expect(await ahead.engine.compute(id)).toEqual(await oneByOne.engine.compute(id));
    expect(batched.calls).toBe(0);
    // Taken once: a second compute asks the model again.
    await ahead.engine.compute(userIds[0]!);
    expect(batched.calls).toBe(1);
  });

  it('falls back to the hybrid recommender when the model a variant names cannot be loaded', async () => {
    const experiments = JSON.stringify([{ name: 'pin', variants: [{ name: 'v9', weight: 1, recommender: 'model', modelVersion: 'v9' }] }]);
    const { engine: e } = engine(15, { pinned: new Map([['v9', null]]) }, experiments);
    const p = (await e.compute(10_004))!;
    expect(p).toMatchObject({ recommender: 'hybrid', modelVersion: null, arm: { variant: 'pin:v9' }, armKey: 'pin:v9|hybrid|' });
  });

  it('changes the arm key (and so recomputes) when the production model changes', () => {
    const a = engine(16, { production: fakeModel('v1') }).engine.resolveArm(10_001).key;
    const b = engine(16, { production: fakeModel('v2') }).engine.resolveArm(10_001).key;
    const none = engine(16).engine.resolveArm(10_001).key;
    expect(new Set([a, b, none]).size).toBe(3);
  });

  it('precomputes a cold-start list per genre: that genre first', () => {
    const { engine: e } = engine(17);
    for (const genre of e.index.genres) {
      const list = e.coldStart(genre);
      expect(list).toHaveLength(RULES.size);
      expect(e.index.tracks.get(list[0]!.trackId)!.genres).toContain(genre);
    }
    expect(e.coldStart(null).map((c) => c.trackId)[0]).toBe(e.index.popularityOrder[0]);
  });
});
