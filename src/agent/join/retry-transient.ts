/**
 * What a node does while the API server is not reachable yet: it waits and tries again, as a kubelet
 * does (pkg/kubelet/kubelet_node_status.go registerWithAPIServer: 100 ms doubling to 7 s, forever)
 * and a k3s agent does for its join. The machine may have just booted (network still coming up:
 * EHOSTUNREACH, ENETUNREACH, EAI_AGAIN), or the server may be restarting (ECONNREFUSED, ECONNRESET,
 * 5xx, 429). What waiting cannot fix fails at once: a CA that does not match the token's pin, a
 * refused credential (401/403), any other 4xx, an untrusted certificate, a malformed answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusError } from '../../api/status.js';

/** Socket errors of a network that is not there yet, or a server that is not listening yet. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
]);

/**
 * An HTTP answer that is not the one wanted; `httpStatus` tells retrying from giving up, and
 * `retryAfterSeconds` is the answer's Retry-After, if it had one.
 */
export class HttpAnswerError extends Error {
  constructor(message: string, readonly httpStatus: number, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'HttpAnswerError';
  }
}

/** The HTTP status an error carries: a StatusError's code, an HttpAnswerError's status. */
function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof StatusError) return err.code;
  if (err instanceof HttpAnswerError) return err.httpStatus;
  return undefined;
}

/**
 * How long the server asked the client to wait, in ms: a 429's or 5xx's Retry-After (or a Status's
 * details.retryAfterSeconds, which our API client turns the answer into). client-go's request.go
 * (checkWait) waits exactly that long before it retries.
 */
export function retryAfterMs(err: unknown): number | undefined {
  const s = err instanceof StatusError ? err.status.details?.retryAfterSeconds : err instanceof HttpAnswerError ? err.retryAfterSeconds : undefined;
  return typeof s === 'number' && Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/** True for failures that may go away by themselves: retry them; false: report them. */
export function isTransient(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined) return status >= 500 || status === 429;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && TRANSIENT_ERRNO.has(code)) return true;
  // The API client's own request timeout (src/client/transport.ts) carries no errno code.
  return err instanceof Error && /^request \S+ \S+ timed out after \d+ ms$/.test(err.message);
}

export interface RetryOptions {
  /** Told of each failed attempt before the wait (what failed, why, how long the wait is). */
  log?: (msg: string) => void;
  /** Stops the retries: the call rejects with the last failure. */
  signal?: AbortSignal;
  /** First wait, default 100 ms (kubelet's registration). */
  initialMs?: number;
  /** Longest wait before jitter, default 7 s (kubelet's registration). */
  maxMs?: number;
  /** Added at random, as a fraction of the wait (client-go's wait.Backoff Jitter), default 0.2. */
  jitter?: number;
  random?: () => number;
}

/** The wait before retry `attempt` (1-based): initial doubling to max, plus up to `jitter` of it. */
export function retryDelayMs(attempt: number, o: RetryOptions = {}): number {
  const base = Math.min(o.maxMs ?? 7000, (o.initialMs ?? 100) * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (1 + (o.jitter ?? 0.2) * (o.random ?? Math.random)()));
}

function describe(err: unknown): string {
  const status = httpStatusOf(err);
  const msg = err instanceof Error ? err.message : String(err);
  return status !== undefined && !msg.includes(String(status)) ? `${msg} (${status})` : msg;
}

/**
 * Runs `fn` until it resolves or fails with an error that is not transient (rejected with that
 * error); transient failures are logged and retried after a capped, jittered exponential wait, or
 * after the failure's Retry-After when the server asked for a longer one.
 * `what` names the attempt in the log ("GET https://10.0.0.1:6443/cacerts").
 */
export async function retryTransient<T>(what: string, fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || o.signal?.aborted) throw err;
      const ms = Math.max(retryDelayMs(attempt, o), retryAfterMs(err) ?? 0);
      o.log?.(`${what} failed: ${describe(err)}; retrying in ${(ms / 1000).toFixed(1)} s (attempt ${attempt})`);
      try {
        await sleep(ms, undefined, { signal: o.signal });
      } catch {
        throw err;
      }
    }
  }
}
