/**
 * The ResourceQuota admission plugin (upstream plugin/pkg/admission/resourcequota and
 * staging/.../apiserver/pkg/admission/plugin/resourcequota/controller.go) on CREATE of any
 * namespaced object: for every quota of the namespace whose scopes match, the object's usage is
 * added to status.used; more than status.hard is 403 `exceeded quota: q, requested: pods=1, used:
 * pods=2, limited: pods=2`; a pod lacking the requests or limits a compute quota tracks is 403
 * `failed quota: q: must specify limits.cpu for: c`. The new usage is written to the quota's status
 * with a compare-and-swap on its resourceVersion before the object is stored, as upstream does, so
 * two racing creates cannot both pass: the loser re-reads the quota and is checked again. Creates in
 * one namespace are also queued here, so that they rarely conflict at all. Quotas come from a
 * watch-fed copy (watched-objects.ts); the store is read only after a conflict.
 */
import { resourceQuotas, type ResourceQuota } from '../../api/kinds/core/resource-quota.js';
import type { KubeObject } from '../../api/meta.js';
import type { Quantity } from '../../api/quantity/index.js';
import { addUsage, fromUsage, matchingResources, objectUsage, prettyPrint, quotaMatchesObject, toUsage, type Usage } from '../../api/quota/usage.js';
import { failure } from '../../api/status.js';
import { StoreError, type Store } from '../../store/types.js';
import { decodeKv, encodeObject } from '../storage/codec.js';
import { objectKey } from '../storage/keys.js';
import type { Watched } from './watched-objects.js';

/** Compute resources a pod's containers must each name when a quota tracks them (podEvaluator.Constraints). */
const REQUEST_NAMES: Record<string, string> = { cpu: 'cpu', memory: 'memory', 'requests.cpu': 'cpu', 'requests.memory': 'memory' };
const LIMIT_NAMES: Record<string, string> = { 'limits.cpu': 'cpu', 'limits.memory': 'memory' };
const MAX_ATTEMPTS = 10;

interface ContainerLike { name?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }

/** podEvaluator.Constraints: "must specify limits.cpu for: a,b; memory for: a". */
export function podConstraintError(pod: KubeObject, tracked: readonly string[]): string | undefined {
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as ContainerLike[]) {
    for (const name of tracked) {
      const req = REQUEST_NAMES[name];
      const lim = LIMIT_NAMES[name];
      const absent = (req !== undefined && !(req in (c.resources?.requests ?? {}))) || (lim !== undefined && !(lim in (c.resources?.limits ?? {})));
      if (absent) {
        const set = missing.get(name) ?? new Set<string>();
        set.add(c.name ?? '');
        missing.set(name, set);
      }
    }
  }
  if (missing.size === 0) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ')}`;
}

/**
 * What a write adds: the object's usage, less the old object's on an update (upstream's
 * SubtractWithNonNegativeResult: a Service turned LoadBalancer, a claim grown; shrinking frees nothing here).
 */
export function usageDelta(group: string, plural: string, obj: KubeObject, old?: KubeObject): Usage {
  const now = objectUsage(group, plural, obj);
  if (!old) return now;
  const before = objectUsage(group, plural, old);
  const out: Usage = new Map();
  for (const [k, v] of now) {
    const prev = before.get(k);
    const d = prev ? v.sub(prev) : v;
    if (d.milliValue() > 0n) out.set(k, d);
  }
  return out;
}

function mask(u: Usage, names: readonly string[]): Map<string, Quantity> {
  return new Map(names.filter((n) => u.has(n)).map((n) => [n, u.get(n)!]));
}

/**
 * The check of one quota: the new status.used, or undefined when the quota does not concern the
 * object; throws the 403s.
 */
export function chargeQuota(rq: ResourceQuota, group: string, plural: string, obj: KubeObject, forbidden: (msg: string) => Error, old?: KubeObject): Record<string, string> | undefined {
  const isPod = !group && plural === 'pods';
  const hardList = rq.status?.hard;
  if (!hardList || Object.keys(hardList).length === 0) return undefined;
  if (!quotaMatchesObject(rq.spec, isPod, obj)) return undefined;
  const delta = usageDelta(group, plural, obj, old);
  const tracked = isPod ? Object.keys(hardList).filter((k) => k in REQUEST_NAMES || k in LIMIT_NAMES) : [];
  const constraint = isPod ? podConstraintError(obj, tracked) : undefined;
  if (constraint) throw forbidden(`failed quota: ${rq.metadata.name}: ${constraint}`);
  const names = matchingResources(hardList, delta);
  if (names.length === 0) return undefined;
  const used = rq.status?.used ?? {};
  const unknown = names.filter((n) => !(n in used));
  if (unknown.length) throw forbidden(`status unknown for quota: ${rq.metadata.name}, resources: ${unknown.join(',')}`);
  const usedNow = toUsage(used);
  const hard = toUsage(hardList);
  const next = addUsage(usedNow, mask(delta, names));
  const exceeded = names.filter((n) => next.get(n)!.cmp(hard.get(n)!) > 0);
  if (exceeded.length) {
    throw forbidden(`exceeded quota: ${rq.metadata.name}, requested: ${prettyPrint(mask(delta, exceeded))}, used: ${prettyPrint(mask(usedNow, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
  }
  return fromUsage(new Map([...usedNow, ...mask(next, names)]));
}

export class QuotaAdmission {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Quotas this plugin wrote, newer than the watch-fed copy may be yet. */
  private readonly written = new Map<string, ResourceQuota>();

  constructor(private readonly store: Store, private readonly quotas: Watched<ResourceQuota>) {}

  /** Check (and, unless dryRun, charge) every quota of `namespace` for a new object. */
  async admit(group: string, plural: string, namespace: string, obj: KubeObject, dryRun: boolean, old?: KubeObject): Promise<void> {
    const cached = await this.quotas.inNamespace(namespace);
    if (cached.length === 0) return;
    // Creates no quota of the namespace tracks (events, leases...) skip the queue; pods always go
    // through (a compute quota constrains a pod that names none of its resources).
    const delta = usageDelta(group, plural, obj, old);
    if (!(group === '' && plural === 'pods') && !cached.some((rq) => matchingResources({ ...rq.spec?.hard, ...rq.status?.hard }, delta).length > 0)) return;
    const prev = this.queues.get(namespace) ?? Promise.resolve();
    const run = prev.then(() => this.admitNow(group, plural, obj, dryRun, cached, old));
    const tail = run.catch(() => undefined);
    this.queues.set(namespace, tail);
    void tail.then(() => { if (this.queues.get(namespace) === tail) this.queues.delete(namespace); });
    await run;
  }

  private freshest(rq: ResourceQuota): ResourceQuota {
    const mine = this.written.get(this.keyOf(rq));
    return mine && Number(mine.metadata.resourceVersion) > Number(rq.metadata.resourceVersion) ? mine : rq;
  }

  private keyOf(rq: ResourceQuota): string {
    return objectKey(resourceQuotas, rq.metadata.namespace, rq.metadata.name ?? '');
  }

  private async admitNow(group: string, plural: string, obj: KubeObject, dryRun: boolean, cached: readonly ResourceQuota[], old?: KubeObject): Promise<void> {
    const forbidden = (msg: string) => failure(403, 'Forbidden', `${plural}${group ? `.${group}` : ''} "${obj.metadata.name ?? ''}" is forbidden: ${msg}`, { name: obj.metadata.name, group: group || undefined, kind: plural });
    // Every quota is checked before any is charged, so a refusal by one leaves the others as they were.
    for (const rq of cached) chargeQuota(this.freshest(rq), group, plural, obj, forbidden, old);
    if (dryRun) return;
    for (const start of cached) {
      let rq = this.freshest(start);
      for (let attempt = 1; ; attempt++) {
        const used = chargeQuota(rq, group, plural, obj, forbidden, old);
        if (!used) break;
        const next: ResourceQuota = { ...rq, status: { ...rq.status, used } };
        const key = this.keyOf(rq);
        try {
          const kv = await this.store.update(key, encodeObject(next, resourceQuotas), Number(rq.metadata.resourceVersion));
          next.metadata = { ...next.metadata, resourceVersion: String(kv.modRevision) };
          this.written.set(key, next);
          break;
        } catch (err) {
          if (!(err instanceof StoreError) || attempt >= MAX_ATTEMPTS) throw err;
          if (err.code === 'NotFound') break;
          if (err.code !== 'Conflict') throw err;
          const kv = await this.store.get(key);
          if (!kv) break;
          rq = decodeKv(resourceQuotas, kv);
          rq.metadata.resourceVersion = String(kv.modRevision);
        }
      }
    }
  }
}
