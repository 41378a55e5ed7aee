/**
 * Resource amounts as plain numbers (CPU in millicores, everything else in whole units), parsed once
 * per pod. Pod requests follow upstream's resourcehelper.PodRequests (component-helpers, shared by the
 * scheduler and the kubelet's admission): containers summed, restartable init containers (sidecars)
 * added, the largest init container step taken if larger, pod overhead added.
 */
import { parseQuantity } from './quantity/index.js';
import type { Container } from './kinds/core/container.js';
import type { PodSpec } from './kinds/core/pod-spec.js';

/** Named amounts: `cpu` in millicores, `memory`/`ephemeral-storage` in bytes, `pods` a count, others units. */
export type ResourceList = Record<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const PODS = 'pods';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';

/** What the scheduler assumes a container without a CPU request uses, for scoring only (upstream: 100m). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** What the scheduler assumes a container without a memory request uses, for scoring only (upstream: 200Mi). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** One quantity in the unit this module keeps for `name`. Unparseable amounts count as 0. */
export function amount(name: string, q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  try {
    const parsed = parseQuantity(String(q));
    return Number(name === CPU ? parsed.milliValue() : parsed.value());
  } catch {
    return 0;
  }
}

export function toResourceList(list: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {};
  if (!list) return out;
  for (const [name, q] of Object.entries(list)) out[name] = amount(name, q);
  return out;
}

export function addInto(into: ResourceList, add: ResourceList): void {
  for (const name in add) into[name] = (into[name] ?? 0) + add[name]!;
}

function maxInto(into: ResourceList, other: ResourceList): void {
  for (const name in other) if (other[name]! > (into[name] ?? 0)) into[name] = other[name]!;
}

/** A container's requests; absent requests default to limits as the API server's defaulting does. */
function containerRequests(c: Container, nonZero: boolean): ResourceList {
  const res = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
  const list = toResourceList({ ...(res?.limits ?? {}), ...(res?.requests ?? {}) });
  if (nonZero) {
    if (!(CPU in list)) list[CPU] = DEFAULT_MILLI_CPU_REQUEST;
    if (!(MEMORY in list)) list[MEMORY] = DEFAULT_MEMORY_REQUEST;
  }
  return list;
}

/**
 * The pod's effective requests. With `nonZero`, containers that request no CPU or memory count as
 * requesting the defaults above (upstream's NonZeroRequested, used by scoring only).
 */
export function podRequests(pod: { spec?: PodSpec }, nonZero = false): ResourceList {
  const reqs: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    let step: ResourceList;
    if ((c as { restartPolicy?: string }).restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      step = { ...sidecars };
    } else {
      step = { ...r };
      addInto(step, sidecars);
    }
    maxInto(initMax, step);
  }
  maxInto(reqs, initMax);
  if (pod.spec?.overhead) addInto(reqs, toResourceList(pod.spec.overhead as Record<string, string>));
  return reqs;
}

