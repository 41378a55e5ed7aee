/**
 * Requests in flight, limited as kube-apiserver's max-in-flight filter (server/filters/maxinflight.go):
 * at most `readOnly` (--max-requests-inflight, 400) get/list requests and `mutating`
 * (--max-mutating-requests-inflight, 200) others at once; a request over its pool's limit is
 * answered 429 TooManyRequests with `Retry-After: 1` before it is authorized or its body read.
 * Long-running requests (watches, logs, exec, attach, port-forward, proxy) are not counted, and
 * members of system:masters are exempt, as upstream. A request holds its slot until its response
 * is finished or its connection closes, so a client that sends its body slowly holds one too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failure, type StatusError } from '../../api/status.js';
import type { UserInfo } from './authn.js';

export interface InflightLimits {
  /** --max-requests-inflight (default 400; 0: unlimited). */
  readOnly?: number;
  /** --max-mutating-requests-inflight (default 200; 0: unlimited). */
  mutating?: number;
}

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The 429 upstream answers (its body is the same sentence, as plain text; clients read the code and Retry-After). */
export function tooManyRequests(): StatusError {
  return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
}

export class InflightLimiter {
  private readonly limits: { readOnly: number; mutating: number };
  readonly inFlight = { readOnly: 0, mutating: 0 };
  /** Requests refused with 429, per pool. */
  readonly refused = { readOnly: 0, mutating: 0 };

  constructor(o: InflightLimits = {}) {
    this.limits = { readOnly: o.readOnly ?? 400, mutating: o.mutating ?? 200 };
  }

  /**
   * Takes a slot for the request, released when the response ends; throws the 429 when the pool is
   * full. Callers skip long-running requests.
   */
  admit(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined): void {
    if (user?.groups.includes('system:masters')) return;
    const pool = READ_ONLY_METHODS.has(req.method ?? 'GET') ? 'readOnly' : 'mutating';
    const limit = this.limits[pool];
    if (limit <= 0) return;
    if (this.inFlight[pool] >= limit) {
      this.refused[pool]++;
      res.setHeader('Retry-After', '1');
      throw tooManyRequests();
    }
    this.inFlight[pool]++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight[pool]--;
    };
    res.once('finish', release);
    res.once('close', release);
  }
}
