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
  /** The stored items are not a prefix: the source replaced the list; a new generation starts at 0. */
  | { kind: 'replaced'; generation: number; fromPosition: 0 };

/**
 * The listen history rule. The source sends a user's whole item list, without per-listen times;
 * the store keeps the last snapshot. If the stored items are a prefix of the new ones, the appended
 * tail becomes new listen events (none when the list did not grow). Otherwise the list was replaced
 * (the classic mode regenerates everything at restart): the generation is bumped and every item of
 * the new list is a listen of the new generation; the events of earlier generations are kept.
 */
export function historyChange(stored: StoredHistory | undefined, items: readonly number[]): HistoryChange {
  if (!stored) return { kind: 'new', generation: 0, fromPosition: 0 };
  if (items.length >= stored.itemsLength && itemsDigest(items, stored.itemsLength) === stored.itemsDigest) {
    return { kind: 'appended', generation: stored.generation, fromPosition: stored.itemsLength };
  }
  return { kind: 'replaced', generation: stored.generation + 1, fromPosition: 0 };
}

/** The deterministic id of a listen: the same listen always gets the same id. */
export function listenEventId(userId: number, generation: number, position: number): string {
  return `${userId}:${generation}:${position}`;
}
