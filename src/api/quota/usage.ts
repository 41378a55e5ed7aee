/**
 * Quota arithmetic shared by the ResourceQuota admission (API server) and the resource quota
 * controller, as upstream's pkg/quota/v1 (resources.go) and its pod evaluator
 * (pkg/quota/v1/evaluator/core/pods.go): what an object uses, whether a quota's scopes match it,
 * and the `name=value,...` rendering of the "exceeded quota" message.
 */
import type { KubeObject } from '../meta.js';
import { parseQuantity, Quantity } from '../quantity/index.js';

export type Usage = Map<string, Quantity>;

function q(v: unknown): Quantity | undefined {
  try {
    return parseQuantity(String(v));
  } catch {
    return undefined;
  }
}

function addTo(u: Usage, name: string, v: Quantity): void {
  const prev = u.get(name);
  u.set(name, prev ? prev.add(v) : v);
}

interface ContainerLike { name?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }

/** PodRequestsAndLimits: sum of the containers, at least each init container, plus overhead. */
export function podRequestsAndLimits(spec: { containers?: ContainerLike[]; initContainers?: ContainerLike[]; overhead?: Record<string, unknown> } | undefined): { requests: Usage; limits: Usage } {
  const requests: Usage = new Map();
  const limits: Usage = new Map();
  for (const c of spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) { const x = q(v); if (x) addTo(requests, k, x); }
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) { const x = q(v); if (x) addTo(limits, k, x); }
  }
  for (const c of spec?.initContainers ?? []) {
    for (const [target, list] of [[requests, c.resources?.requests], [limits, c.resources?.limits]] as const) {
      for (const [k, v] of Object.entries(list ?? {})) {
        const x = q(v);
        const cur = target.get(k);
        if (x && (!cur || x.cmp(cur) > 0)) target.set(k, x);
      }
    }
  }
  for (const [k, v] of Object.entries(spec?.overhead ?? {})) {
    const x = q(v);
    if (x) { addTo(requests, k, x); if (limits.has(k)) addTo(limits, k, x); }
  }
  return { requests, limits };
}

const ONE = Quantity.fromValue(1);
const COMPUTE = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** A terminal pod (Succeeded/Failed) no longer counts against quota (QuotaV1Pod). */
export function podCountsAgainstQuota(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** PodUsageFunc: pods, count/pods, requests.* (and bare cpu/memory), limits.*. */
export function podUsage(pod: KubeObject): Usage {
  const u: Usage = new Map([['pods', ONE], ['count/pods', ONE]]);
  if (!podCountsAgainstQuota(pod)) return new Map([['count/pods', ONE]]);
  const { requests, limits } = podRequestsAndLimits(pod.spec);
  for (const [k, v] of requests) {
    if (COMPUTE.has(k)) { u.set(k, v); u.set(`requests.${k}`, v); } else if (k.includes('/') || k.startsWith('hugepages-')) u.set(`requests.${k}`, v);
  }
  for (const [k, v] of limits) if (COMPUTE.has(k) || k.startsWith('hugepages-')) u.set(`limits.${k}`, v);
  return u;
}

/** Usage of any object: its `count/<resource>[.<group>]`, plus the legacy names and per-kind extras. */
export function objectUsage(group: string, plural: string, obj: KubeObject): Usage {
  if (!group && plural === 'pods') return podUsage(obj);
  const u: Usage = new Map([[group ? `count/${plural}.${group}` : `count/${plural}`, ONE]]);
  if (group) return u;
  if (['services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'].includes(plural)) u.set(plural, ONE);
  if (plural === 'services') {
    const type = obj.spec?.type;
    if (type === 'LoadBalancer') u.set('services.loadbalancers', ONE);
    if (type === 'LoadBalancer' || type === 'NodePort') {
      const ports = (obj.spec?.ports ?? []) as { nodePort?: number }[];
      u.set('services.nodeports', Quantity.fromValue(type === 'NodePort' || obj.spec?.allocateLoadBalancerNodePorts !== false ? ports.length : 0));
    }
  }
  if (plural === 'persistentvolumeclaims') {
    const storage = q(obj.spec?.resources?.requests?.storage);
    if (storage) {
      u.set('requests.storage', storage);
      const cls = obj.spec?.storageClassName as string | undefined;
      if (cls) {
        u.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
        u.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, ONE);
      }
    }
  }
  return u;
}

interface ScopeReq { scopeName?: string; operator?: string; values?: string[] }

/** Whether a pod matches one scope requirement (podMatchesScopeFunc). */
function podMatchesScope(pod: KubeObject, req: ScopeReq): boolean {
  const besteffort = () => {
    const { requests, limits } = podRequestsAndLimits(pod.spec);
    return ![...requests.keys(), ...limits.keys()].some((k) => k === 'cpu' || k === 'memory');
  };
  switch (req.scopeName) {
    case 'Terminating': return pod.spec?.activeDeadlineSeconds !== undefined && pod.spec?.activeDeadlineSeconds !== null;
    case 'NotTerminating': return pod.spec?.activeDeadlineSeconds === undefined || pod.spec?.activeDeadlineSeconds === null;
    case 'BestEffort': return besteffort();
    case 'NotBestEffort': return !besteffort();
    case 'PriorityClass': {
      const cls = pod.spec?.priorityClassName as string | undefined;
      switch (req.operator) {
        case 'Exists': return cls !== undefined && cls !== '';
        case 'DoesNotExist': return cls === undefined || cls === '';
        case 'In': return (req.values ?? []).includes(cls ?? '');
        case 'NotIn': return !(req.values ?? []).includes(cls ?? '');
        default: return false;
      }
    }
    case 'CrossNamespacePodAffinity': return false;
    default: return false;
  }
}

/** The quota's scopes as requirements: spec.scopes (operator Exists) and the scopeSelector's. */
export function scopeRequirements(spec: { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeReq[] } } | undefined): ScopeReq[] {
  return [...(spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(spec?.scopeSelector?.matchExpressions ?? [])];
}

/** Whether every scope of the quota matches the object (only pods can match a scoped quota). */
export function quotaMatchesObject(spec: Parameters<typeof scopeRequirements>[0], isPod: boolean, obj: KubeObject): boolean {
  const reqs = scopeRequirements(spec);
  if (reqs.length === 0) return true;
  return isPod && reqs.every((r) => podMatchesScope(obj, r));
}

/** Resource names the quota tracks that this usage touches (quota.Intersection on MatchingResources). */
export function matchingResources(hard: Record<string, unknown> | undefined, usage: Usage): string[] {
  return Object.keys(hard ?? {}).filter((k) => usage.has(k)).sort();
}

/** upstream prettyPrint: sorted `name=value` joined by commas. */
export function prettyPrint(list: Map<string, Quantity> | Record<string, Quantity>): string {
  const m = list instanceof Map ? list : new Map(Object.entries(list));
  return [...m.keys()].sort().map((k) => `${k}=${m.get(k)!.toString()}`).join(',');
}

/** Sum of usages (quota.Add). */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) addTo(out, k, v);
  return out;
}

/** Parse a ResourceList; entries that do not parse are dropped (validation refuses them). */
export function toUsage(list: Record<string, unknown> | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) { const x = q(v); if (x) out.set(k, x); }
  return out;
}

/** Render a Usage as a ResourceList. */
export function fromUsage(u: Usage): Record<string, string> {
  return Object.fromEntries([...u.keys()].sort().map((k) => [k, u.get(k)!.toString()]));
}
