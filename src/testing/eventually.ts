/**
 * Polling for tests: state converges through watches and controllers, so a test waits for a
 * condition to hold instead of sleeping a fixed time.
 */

/** A condition: a truthy result is the answer; `undefined`, `null` or `false` mean "not yet". */
export type Check<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

export interface PollOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between checks (default 25 ms). */
  intervalMs?: number;
  /**
   * A check that throws counts as "not yet", and the last error is quoted on timeout. By default a
   * throw ends the wait with that error.
   */
  retryErrors?: boolean;
}

const asOptions = (o: number | PollOptions): PollOptions => (typeof o === 'number' ? { timeoutMs: o } : o);

/**
 * Runs `check` until it returns a truthy value and resolves to that value; rejects with
 * "timed out waiting for <what>" once `timeoutMs` has passed. A number stands for `{ timeoutMs }`.
 */
export async function eventually<T>(check: Check<T>, what: string, options: number | PollOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 25, retryErrors = false } = asOptions(options);
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      if (!retryErrors) throw err;
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `eventually` with other defaults, for a file whose waits share them; per-call options still win. */
export function eventuallyWith(defaults: PollOptions): <T>(check: Check<T>, what: string, options?: number | PollOptions) => Promise<T> {
  return (check, what, options = {}) => eventually(check, what, { ...defaults, ...asOptions(options) });
}
