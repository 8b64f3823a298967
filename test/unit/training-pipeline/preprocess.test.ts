import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  excludeSeen,
  mergeRepeats,
  minCountFilter,
  perUserFallback,
  preprocess,
  usersOnBothSides,
  windowOf,
  type ListenEvent,
} from '../../../src/training/pipeline/preprocess.js';

const at = (day: number) => Date.UTC(2026, 0, 1) + day * DAY_MS;
const ev = (userId: number, trackId: number, day: number): ListenEvent => ({ userId, trackId, at: at(day) });

describe('preprocess', () => {
  it('anchors the window on the newest listen', () => {
    expect(windowOf(null, 30, 7)).toBeNull();
    expect(windowOf(at(40), 30, 7)).toEqual({ start: at(10), end: at(40), validationStart: at(33), evaluationStart: at(33) });
  });

  it('moves the held-out split past what the production model has seen, and only then', () => {
    const w = windowOf(at(40), 30, 7)!;
    expect(excludeSeen(w, null)).toEqual(w);
    expect(excludeSeen(w, at(20))).toEqual(w);
    expect(excludeSeen(w, at(36))).toEqual({ ...w, evaluationStart: at(36) + 1 });
  });

  it('leaves listens between validation start and evaluation start out of both splits but in the refit data', () => {
    const w = excludeSeen(windowOf(at(10), 30, 4)!, at(8));
    const r = preprocess([ev(1, 1, 2), ev(1, 2, 7), ev(1, 3, 10)], w, {
      windowDays: 30,
      validationDays: 4,
      minUserListens: 1,
      minTrackListens: 1,
    });
    expect(r.train.map((l) => l.trackId)).toEqual([1]);
    expect(r.validation.map((l) => l.trackId)).toEqual([3]);
    expect(r.all.map((l) => l.trackId)).toEqual([1, 2, 3]);
  });

  it('merges repeats into counts with the latest time, sorted by user then track', () => {
    const merged = mergeRepeats([ev(2, 5, 1), ev(1, 7, 0), ev(2, 5, 3), ev(1, 3, 2)]);
    expect(merged.map((l) => [l.userId, l.trackId, l.count, l.listenedAt!.getTime()])).toEqual([
      [1, 3, 1, at(2)],
      [1, 7, 1, at(0)],
      [2, 5, 2, at(3)],
    ]);
  });

  it('drops tracks under the listener minimum, then users under the track minimum', () => {
    // Track 9 has one listener; without it user 3 keeps one track only.
    const events = [ev(1, 1, 0), ev(1, 2, 0), ev(2, 1, 0), ev(2, 2, 0), ev(3, 1, 0), ev(3, 9, 0)];
    const r = minCountFilter(events, 2, 2);
    expect(r.droppedTracks).toBe(1);
    expect(r.droppedUsers).toBe(1);
    expect(new Set(r.kept.map((e) => e.userId))).toEqual(new Set([1, 2]));
  });

  it('holds out the last validation days by time and reports the sizes', () => {
    const events = [
      ev(1, 1, 0),
      ev(1, 2, 1),
      ev(1, 2, 2),
      ev(2, 1, 0),
      ev(2, 2, 9),
      ev(1, 3, 9),
      ev(2, 3, 10),
      ev(3, 3, 10),
      ev(4, 4, -40),
    ];
    const w = windowOf(at(10), 30, 2)!;
    const r = preprocess(events, w, { windowDays: 30, validationDays: 2, minUserListens: 1, minTrackListens: 1 });
    expect(r.train.map((l) => [l.userId, l.trackId, l.count])).toEqual([
      [1, 1, 1],
      [1, 2, 2],
      [2, 1, 1],
    ]);
    expect(r.validation.map((l) => [l.userId, l.trackId])).toEqual([
      [1, 3],
      [2, 2],
      [2, 3],
      [3, 3],
    ]);
    expect(r.sizes).toMatchObject({ events: 8, users: 3, tracks: 3, pairs: 7, trainPairs: 3, validationPairs: 4, droppedEvents: 0 });
  });

  it('falls back to the per-user split when no user has listens on both sides of the days (a first load)', () => {
    // Each user's whole history carries one time, as after a first ingestion.
    const events = [1, 2, 3].flatMap((u) => [1, 2, 3, 4, 5, 6].map((t) => ev(u, t + u, u === 3 ? 9 : 0)));
    const w = windowOf(at(9), 30, 2)!;
    const byDays = preprocess(events, w, { windowDays: 30, validationDays: 2, minUserListens: 1, minTrackListens: 1 });
    expect(usersOnBothSides(byDays.train, byDays.validation)).toBe(0);
    const p = perUserFallback(byDays);
    expect(p.split).toBe('per_user');
    expect(usersOnBothSides(p.train, p.validation)).toBe(3);
    // The last 20% of each user's 6 pairs (ties in time by track id): one each.
    expect(p.validation.map((l) => [l.userId, l.trackId])).toEqual([
      [1, 7],
      [2, 8],
      [3, 9],
    ]);
    expect(p.sizes).toMatchObject({ trainPairs: 15, validationPairs: 3 });
  });

  it('keeps the split by days when some user has listens on both sides', () => {
    const w = windowOf(at(10), 30, 2)!;
    const byDays = preprocess([ev(1, 1, 0), ev(1, 2, 10), ev(2, 1, 0)], w, {
      windowDays: 30,
      validationDays: 2,
      minUserListens: 1,
      minTrackListens: 1,
    });
    expect(perUserFallback(byDays)).toBe(byDays);
    expect(byDays.split).toBe('time');
  });
});
