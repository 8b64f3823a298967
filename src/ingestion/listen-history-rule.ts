import { itemsDigest } from './contract.js';

/** What the store knows of a user's history, enough to apply the rule without reading its items. */
export interface StoredHistory {
  generation: number;
  itemsLength: number;
  /** itemsDigest of the stored items. */
  itemsDigest: string;
}

export type HistoryChange =
  /** Never stored: every item is a new listen of generation 0. */
  | { kind: 'new'; generation: number; fromPosition: 0 }
  /** The stored items are a prefix of the new ones: the tail (maybe empty) is new listens. */
  | { kind: 'appended'; generation: number; fromPosition: number }
  /**
   * Not an append of the stored list (shorter, or an item changed or moved): the source lost or
   * rewrote listens. The record is quarantined: the stored history and its events are kept.
   */
  | { kind: 'quarantined'; reason: string };

/**
 * The listen history rule. The source sends a user's whole item list, without per-listen times;
 * the store keeps the last snapshot. If the stored items are a prefix of the new ones, the appended
 * tail becomes new listen events (none when the list did not grow). Anything else is not a history
 * that only grows: the source lost listens (a shorter list) or rewrote them. Taking it as a new list
 * would count every listen it still has a second time, so it is quarantined instead, with the reason,
 * and the store keeps its last good state until the source sends an append of it again.
 */
export function historyChange(stored: StoredHistory | undefined, items: readonly number[]): HistoryChange {
  if (!stored) return { kind: 'new', generation: 0, fromPosition: 0 };
  if (items.length >= stored.itemsLength && itemsDigest(items, stored.itemsLength) === stored.itemsDigest) {
    return { kind: 'appended', generation: stored.generation, fromPosition: stored.itemsLength };
  }
  const reason =
    items.length < stored.itemsLength
      ? `listen history shrank: the source sends ${items.length} listens where ${stored.itemsLength} are stored`
      : `listen history rewritten: the ${stored.itemsLength} stored listens are not the start of the ${items.length} the source sends`;
  return { kind: 'quarantined', reason: `${reason}; quarantined, the stored history is kept and no listen event is added` };
}

/** The deterministic id of a listen: the same listen always gets the same id. */
export function listenEventId(userId: number, generation: number, position: number): string {
  return `${userId}:${generation}:${position}`;
}
