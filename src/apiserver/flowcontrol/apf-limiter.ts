/**
 * API Priority and Fairness' dispatching, a simplified kube-apiserver APF filter
 * (staging/src/k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go): each non-long-running
 * request is classified (classify.ts, the decision cached per user, groups, verb, group, resource and
 * namespace until the configuration changes) and answered with X-Kubernetes-PF-FlowSchema-UID and
 * X-Kubernetes-PF-PriorityLevel-UID. Exempt levels are not limited. A Limited level runs at most
 * ceil(serverConcurrencyLimit * nominalConcurrencyShares / sum of the Limited levels' shares)
 * requests at once; past that a request waits in its level's single FIFO queue (capacity
 * queues * queueLengthLimit), or gets 429 when the level's limitResponse is Reject, its queue is full,
 * or it waited QUEUE_WAIT_MS. What is simpler than upstream: one FIFO per level instead of shuffle
 * sharded fair queues (flow distinguishers are not used), no seat borrowing (lendablePercent,
 * borrowingLimitPercent), every request one seat.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlowSchema } from '../../api/kinds/flowcontrol/flow-schema.js';
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import { tooManyRequests } from '../http/inflight.js';
import type { UserInfo } from '../http/authn.js';
import { classify, inMatchingOrder, type RequestDigest } from './classify.js';

/** How long a queued request may wait before 429 (upstream: a quarter of the 60 s request timeout). */
export const QUEUE_WAIT_MS = 15_000;
const MAX_CACHE = 10_000;

interface Level {
  readonly name: string;
  readonly uid: string;
  readonly exempt: boolean;
  readonly reject: boolean;
  limit: number;
  queueCapacity: number;
  executing: number;
  readonly queue: (() => void)[];
}

interface Decision { fsUid: string; fsName: string; level: Level }

export interface ApfCounts { executing: Record<string, number>; rejected: Record<string, number>; waiting: Record<string, number> }

/** Per priority level and FlowSchema (upstream's metric labels): `level\0flowSchema` and `level\0flowSchema\0reason`. */
export interface ApfSeries { executing: ReadonlyMap<string, number>; rejected: ReadonlyMap<string, number>; nominalLimits: ReadonlyMap<string, number> }

export class ApfLimiter {
  private ordered: FlowSchema[] = [];
  private levels = new Map<string, Level>();
  private cache = new Map<string, Decision | null>();
  /** Requests answered 429, per priority level (apiserver_flowcontrol_rejected_requests_total). */
  readonly rejected: Record<string, number> = {};
  private readonly executingBy = new Map<string, number>();
  private readonly rejectedBy = new Map<string, number>();

  /** serverConcurrencyLimit: --max-requests-inflight + --max-mutating-requests-inflight (600). */
  constructor(private readonly serverConcurrencyLimit = 600) {}

  /** A new configuration: levels keep their running and queued requests; the decision cache is dropped. */
  setConfig(schemas: readonly FlowSchema[], pls: readonly PriorityLevelConfiguration[]): void {
    const limited = pls.filter((pl) => pl.spec?.type === 'Limited');
    const shares = limited.reduce((n, pl) => n + (pl.spec?.limited?.nominalConcurrencyShares ?? 30), 0);
    const next = new Map<string, Level>();
    for (const pl of pls) {
      const name = pl.metadata.name ?? '';
      const old = this.levels.get(name);
      const l = pl.spec?.limited;
      const q = l?.limitResponse?.queuing;
      const level: Level = {
        name, uid: pl.metadata.uid ?? '', exempt: pl.spec?.type === 'Exempt', reject: l?.limitResponse?.type === 'Reject',
        limit: shares > 0 ? Math.ceil(this.serverConcurrencyLimit * (l?.nominalConcurrencyShares ?? 30) / shares) : 0,
        queueCapacity: q ? (q.queues ?? 64) * (q.queueLengthLimit ?? 50) : 0,
        executing: old?.executing ?? 0, queue: old?.queue ?? [],
      };
      next.set(name, level);
    }
    this.levels = next;
    this.ordered = inMatchingOrder(schemas);
    this.cache.clear();
    for (const level of next.values()) this.dispatch(level);
  }

  /** The level's concurrency limit (0 for exempt or unknown levels). */
  limitOf(name: string): number {
    const l = this.levels.get(name);
    return l && !l.exempt ? l.limit : 0;
  }

  counts(): ApfCounts {
    const executing: Record<string, number> = {};
    const waiting: Record<string, number> = {};
    for (const l of this.levels.values()) { executing[l.name] = l.executing; waiting[l.name] = l.queue.length; }
    return { executing, waiting, rejected: { ...this.rejected } };
  }

  private decide(d: RequestDigest): Decision | null {
    const key = `${d.user}\0${d.groups.join('\0')}\0${d.verb}\0${d.isResource ? `${d.apiGroup}\0${d.resource}\0${d.namespace}` : `\0${d.path}`}`;
    let hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const fs = classify(this.ordered, (n) => this.levels.has(n), d);
    hit = fs ? { fsUid: fs.metadata.uid ?? '', fsName: fs.metadata.name ?? '', level: this.levels.get(fs.spec!.priorityLevelConfiguration.name)! } : null;
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, hit);
    return hit;
  }

  /**
   * Admits the request: returns at once when it may run now (or is exempt), a promise when it waits
   * in its level's queue; throws the 429. The seat is released when the response ends.
   */
  admit(res: ServerResponse, d: RequestDigest): void | Promise<void> {
    const decision = this.decide(d);
    if (!decision) return; // no configuration yet (or nothing matched): as upstream's exempt fallback
    const level = decision.level;
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', decision.fsUid);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', level.uid);
    const series = `${level.name}\0${decision.fsName}`;
    if (level.exempt) {
      this.track(series, res);
      return;
    }
    if (level.executing < level.limit) {
      this.seat(level, res, series);
      return;
    }
    if (level.reject || level.queue.length >= level.queueCapacity) throw this.reject(level, res, `${series}\0${level.reject ? 'concurrency-limit' : 'queue-full'}`);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { drop(); reject(this.reject(level, res, `${series}\0time-out`)); }, QUEUE_WAIT_MS);
      const go = (): void => { clearTimeout(timer); res.off('close', gone); this.seat(level, res, series); resolve(); };
      const drop = (): void => { const i = level.queue.indexOf(go); if (i >= 0) level.queue.splice(i, 1); };
      const gone = (): void => { clearTimeout(timer); drop(); reject(tooManyRequests()); };
      res.once('close', gone);
      level.queue.push(go);
    });
  }

  /** Upstream's metric series: what executes and what was refused, per level and FlowSchema. */
  series(): ApfSeries {
    const nominalLimits = new Map<string, number>();
    for (const l of this.levels.values()) nominalLimits.set(l.name, l.exempt ? 0 : l.limit);
    return { executing: this.executingBy, rejected: this.rejectedBy, nominalLimits };
  }

  /** Counts the request as executing under `series` until its response ends. */
  private track(series: string, res: ServerResponse, then?: () => void): void {
    this.executingBy.set(series, (this.executingBy.get(series) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.executingBy.set(series, this.executingBy.get(series)! - 1);
      then?.();
    };
    res.once('finish', release);
    res.once('close', release);
  }

  private reject(level: Level, res: ServerResponse, series: string): Error {
    this.rejectedBy.set(series, (this.rejectedBy.get(series) ?? 0) + 1);
    this.rejected[level.name] = (this.rejected[level.name] ?? 0) + 1;
    if (!res.headersSent) res.setHeader('Retry-After', '1');
    return tooManyRequests();
  }

  private seat(queuedOn: Level, res: ServerResponse, series: string): void {
    const level = this.levels.get(queuedOn.name) ?? queuedOn;
    level.executing++;
    this.track(series, res, () => {
      // The level may have been replaced by a new configuration: release on the current one.
      const current = this.levels.get(level.name) ?? level;
      current.executing--;
      this.dispatch(current);
    });
  }

  private dispatch(level: Level): void {
    while (level.executing < level.limit && level.queue.length) level.queue.shift()!();
  }
}

/** The digest of a request as the router sees it. */
export function digestOf(req: IncomingMessage, user: UserInfo | undefined, path: string, p: { group: string; resource: string; namespace?: string; name?: string; subresource?: string } | undefined, isList: boolean): RequestDigest {
  const method = req.method ?? 'GET';
  const u = user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  if (!p) return { user: u.name, groups: u.groups, verb: method.toLowerCase(), isResource: false, apiGroup: '', resource: '', namespace: '', path };
  const verb = method === 'GET' || method === 'HEAD' ? (isList ? 'list' : 'get')
    : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch'
      : method === 'DELETE' ? (p.name ? 'delete' : 'deletecollection') : method.toLowerCase();
  return { user: u.name, groups: u.groups, verb, isResource: true, apiGroup: p.group, resource: p.subresource ? `${p.resource}/${p.subresource}` : p.resource, namespace: p.namespace ?? '', path };
}
