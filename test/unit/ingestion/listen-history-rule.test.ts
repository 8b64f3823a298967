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
  it('not a prefix (changed, reordered or shorter): replaced, with a new generation from position 0', () => {
    expect(historyChange(stored([5, 6], 0), [6, 5, 7])).toEqual({ kind: 'replaced', generation: 1, fromPosition: 0 });
    expect(historyChange(stored([5, 6, 7], 3), [5, 6])).toEqual({ kind: 'replaced', generation: 4, fromPosition: 0 });
    expect(historyChange(stored([5, 6]), [])).toEqual({ kind: 'replaced', generation: 1, fromPosition: 0 });
  });
  it('gives each listen a deterministic id', () => {
    expect(listenEventId(42, 1, 7)).toBe('42:1:7');
  });
});
