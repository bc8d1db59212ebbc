/**
 * Bounded parallelism for the operator's bulk work (revert --all, allowlist lifts): each item is
 * claimed only when a worker is free to run it, so an interrupted command leaves at most
 * `concurrency` decisions claimed (`reverting`) behind, not a whole chunk.
 * @module
 */

/** Runs alongside the Responder's queue, whose global cap has the same default. */
export const BULK_CONCURRENCY = 8;

/**
 * Run `fn` on every item, at most `concurrency` at once, in order of start.
 * @returns when every call has settled (a throw rejects, after the others finished)
 * @example await eachLimited(decisions, 8, (d) => revertOne(d));
 */
export async function eachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  const workers = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}
