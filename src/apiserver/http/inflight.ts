/**
 * Requests in flight, limited as kube-apiserver's max-in-flight filter (server/filters/maxinflight.go)
 * when API Priority and Fairness is off (--enable-priority-and-fairness=false; upstream runs one
 * filter or the other, and with APF on these two limits only size its server concurrency limit,
 * readOnly + mutating):
 * at most `readOnly` (--max-requests-inflight, 400) get/list requests and `mutating`
 * (--max-mutating-requests-inflight, 200) others at once; a request over its pool's limit is
 * answered 429 TooManyRequests with `Retry-After: 1` before it is authorized or its body read.
 * Long-running requests (watches, logs, exec, attach, port-forward, proxy) are not counted, and
 * members of system:masters are exempt, as upstream. A request holds its slot until its response
 * is finished or its connection closes, so a client that sends its body slowly holds one too.
 *
 * The system's own components are served first, a simple version of API Priority and Fairness
 * (upstream's bootstrap FlowSchemas give nodes the `system` level, the scheduler, the controller
 * manager and kube-system's service accounts `workload-high`, ahead of `global-default`): a share of
 * each pool (`systemReserved`, a quarter by default) is kept for them, so other clients get at most
 * the rest and a flood of ordinary requests cannot starve node heartbeats or control loops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failure, type StatusError } from '../../api/status.js';
import type { UserInfo } from './authn.js';

export interface InflightLimits {
  /** --max-requests-inflight (default 400; 0: unlimited). */
  readOnly?: number;
  /** --max-mutating-requests-inflight (default 200; 0: unlimited). */
  mutating?: number;
  /** Fraction of each pool only system components may use (default 0.25). */
  systemReserved?: number;
  /** --enable-priority-and-fairness (default true): the router then admits through APF instead of these pools. */
  priorityAndFairness?: boolean;
}

/** Identities of the cluster's own components (upstream's system and workload-high FlowSchemas). */
const SYSTEM_USERS = new Set(['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy']);

/** True for nodes, the scheduler, the controller manager, the proxy and kube-system's service accounts. */
export function isSystemComponent(user: UserInfo | undefined): boolean {
  if (!user) return false;
  return user.groups.includes('system:nodes') || SYSTEM_USERS.has(user.name) || user.name.startsWith('system:serviceaccount:kube-system:');
}

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The 429 upstream answers (its body is the same sentence, as plain text; clients read the code and Retry-After). */
export function tooManyRequests(): StatusError {
  return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
}

export class InflightLimiter {
  private readonly limits: { readOnly: number; mutating: number };
  /** Slots of each pool ordinary clients may not take. */
  private readonly reserved: { readOnly: number; mutating: number };
  readonly inFlight = { readOnly: 0, mutating: 0 };
  /** Requests refused with 429, per pool. */
  readonly refused = { readOnly: 0, mutating: 0 };
  /** False: these pools limit requests even where API Priority and Fairness is configured. */
  readonly priorityAndFairness: boolean;

  constructor(o: InflightLimits = {}) {
    this.limits = { readOnly: o.readOnly ?? 400, mutating: o.mutating ?? 200 };
    const share = o.systemReserved ?? 0.25;
    this.reserved = { readOnly: Math.floor(this.limits.readOnly * share), mutating: Math.floor(this.limits.mutating * share) };
    this.priorityAndFairness = o.priorityAndFairness ?? true;
  }

  /**
   * Takes a slot for the request, released when the response ends; throws the 429 when the pool is
   * full. Callers skip long-running requests.
   */
  admit(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined): void {
    if (user?.groups.includes('system:masters')) return;
    const pool = READ_ONLY_METHODS.has(req.method ?? 'GET') ? 'readOnly' : 'mutating';
    if (this.limits[pool] <= 0) return;
    const limit = isSystemComponent(user) ? this.limits[pool] : this.limits[pool] - this.reserved[pool];
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
