import { describe, expect, it } from 'vitest';
import { itemsDigest } from '../../../src/ingestion/contract.js';
import { historyChange, listenEventId } from '../../../src/ingestion/listen-history-rule.js';

const stored = (items: number[], generation = 0) => ({ generation, itemsLength: items.length, itemsDigest: itemsDigest(items) });

describe('the listen history rule', () => {
  it('a record never seen: every item is a listen of generation 0', () => {
    expect(historyChange(undefined, [5, 6])).toEqual({ kind: 'new', generation: 0, fromPosition: 0 });
  });
  it('stored items are a prefix: only the appended tail is new', () => {
    expect(historyChange(stored([5, 6]), [5, 6, 7, 5])).toEqual({ kind: 'appended', generation: 0, fromPosition: 2 });
    expect(historyChange(stored([], 2), [9])).toEqual({ kind: 'appended', generation: 2, fromPosition: 0 });
  });
  it('identical items: nothing new', () => {
    expect(historyChange(stored([5, 6], 1), [5, 6])).toEqual({ kind: 'appended', generation: 1, fromPosition: 2 });
  });
  it('not an append (changed, reordered, shorter or emptied): quarantined with the reason, no new generation', () => {
    expect(historyChange(stored([5, 6], 0), [6, 5, 7])).toEqual({
      kind: 'quarantined',
      reason: expect.stringMatching(
        /^listen history rewritten: the 2 stored listens are not the start of the 3 the source sends; quarantined/,
      ),
    });
    expect(historyChange(stored([5, 6, 7], 3), [5, 6])).toEqual({
      kind: 'quarantined',
      reason: expect.stringMatching(/^listen history shrank: the source sends 2 listens where 3 are stored/),
    });
    expect(historyChange(stored([5, 6, 7]), [5, 6, 8])).toMatchObject({ kind: 'quarantined' });
    expect(historyChange(stored([5, 6]), [])).toMatchObject({ kind: 'quarantined' });
  });
  it('gives each listen a deterministic id', () => {
    expect(listenEventId(42, 1, 7)).toBe('42:1:7');
  });
});
