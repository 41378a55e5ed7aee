/**
 * Writing many dependents at once (upstream controller_utils slowStartBatch): creations go out in
 * batches doubling from 1 that stop at the first failing batch, so a quota or admission error costs
 * one request rather than hundreds, with a cap on the calls in flight.
 */
/** Writes a sync keeps in flight at once: enough to keep a single-threaded API server busy. */
export const DEFAULT_CONCURRENCY = 32;

/**
 * Run `fn` `count` times in batches doubling from `initial`; stop after the first batch with a
 * failure. Resolves to the number of successes and the first error. At most `concurrency` calls of a
 * batch run at once (upstream starts a whole batch at once over one multiplexed HTTP/2 connection;
 * over HTTP/1.1 each call in flight is a connection, and a batch of 256 would open hundreds of TLS
 * connections for no more throughput from a single-threaded server).
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>, concurrency = Infinity): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await runBatch(batch, concurrency, fn);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) };
    remaining -= batch;
  }
  return { successes };
}

/** `n` calls of `fn`, at most `concurrency` at once; every call runs (like Promise.allSettled). */
export async function runBatch(n: number, concurrency: number, fn: () => Promise<void>): Promise<PromiseSettledResult<void>[]> {
  if (n <= concurrency) return Promise.allSettled(Array.from({ length: n }, () => fn()));
  const results: PromiseSettledResult<void>[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < n) {
      started++;
      try {
        await fn();
        results.push({ status: 'fulfilled', value: undefined });
      } catch (reason) {
        results.push({ status: 'rejected', reason });
      }
    }
  }));
  return results;
}
