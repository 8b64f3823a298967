import type { Collection, Document, MongoBulkWriteError, OptionalUnlessRequiredId } from 'mongodb';

/** The server's error code for a write that meets an `_id` (or unique key) already stored. */
export const DUPLICATE_KEY = 11000;

function writeErrorsOf(err: unknown): Array<{ code?: number; index?: number }> {
  const e = err as Partial<MongoBulkWriteError> & { code?: number };
  if (e.writeErrors === undefined) return e.code === DUPLICATE_KEY ? [{ code: DUPLICATE_KEY }] : [];
  return [e.writeErrors].flat();
}

/**
 * The positions in the batch of the documents an unordered insert refused as duplicates, or null
 * when anything else failed (the caller rethrows).
 */
export function duplicateKeyIndexes(err: unknown, batchLength: number): number[] | null {
  const errors = writeErrorsOf(err);
  if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY || w.index === undefined || w.index >= batchLength)) return null;
  return errors.map((w) => w.index!);
}

/**
 * Inserts unordered, skipping the documents whose `_id` is already stored (the write of a retried
 * job or a page processed again after a crash); any other error is thrown. Returns how many were
 * new. `chunk` bounds the documents per insertMany (all at once by default).
 */
export async function insertIgnoringDuplicates<T extends Document>(
  coll: Collection<T>,
  docs: readonly T[],
  chunk = Infinity,
): Promise<number> {
  let inserted = 0;
  const step = Math.max(1, Math.min(chunk, docs.length));
  for (let i = 0; i < docs.length; i += step) {
    const part = docs.slice(i, i + step) as OptionalUnlessRequiredId<T>[];
    try {
      inserted += (await coll.insertMany(part, { ordered: false })).insertedCount;
    } catch (err) {
      const errors = writeErrorsOf(err);
      if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
      inserted += (err as Partial<MongoBulkWriteError>).insertedCount ?? 0;
    }
  }
  return inserted;
}
