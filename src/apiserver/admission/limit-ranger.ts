/**
 * The LimitRanger admission plugin (upstream plugin/pkg/admission/limitranger/admission.go) on pod
 * and PVC CREATE: a Container item's `default` fills missing container limits and `defaultRequest`
 * missing requests (recorded in the kubernetes.io/limit-ranger annotation), then min, max and
 * maxLimitRequestRatio are checked per Container, per Pod (sums) and per PersistentVolumeClaim;
 * a violation is 403 with upstream's messages ("maximum cpu usage per Container is 1, but limit is 2").
 */
import type { LimitRange, LimitRangeItem } from '../../api/kinds/core/limit-range.js';
import type { KubeObject } from '../../api/meta.js';
import { parseQuantity, type Quantity } from '../../api/quantity/index.js';
import { podRequestsAndLimits, type Usage } from '../../api/quota/usage.js';
import { failure } from '../../api/status.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

interface ContainerLike { name?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }

function mergeContainer(c: ContainerLike, item: LimitRangeItem, prefix: string, notes: string[]): void {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(item.default ?? {})) {
    res.limits ??= {};
    if (!(k in res.limits)) { res.limits[k] = v; setLimits.push(k); }
  }
  for (const [k, v] of Object.entries(item.defaultRequest ?? {})) {
    res.requests ??= {};
    if (!(k in res.requests)) { res.requests[k] = v; setRequests.push(k); }
  }
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name ?? ''}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name ?? ''}`);
}

/** mergePodResourceRequirements: the Container items' defaults, with the annotation upstream writes. */
export function applyLimitRangeDefaults(pod: KubeObject, ranges: readonly LimitRange[]): void {
  const notes: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const c of (pod.spec?.containers ?? []) as ContainerLike[]) mergeContainer(c, item, 'container', notes);
      for (const c of (pod.spec?.initContainers ?? []) as ContainerLike[]) mergeContainer(c, item, 'init container', notes);
    }
  }
  if (notes.length) (pod.metadata.annotations ??= {})[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`;
}

const q = (v: unknown): Quantity => parseQuantity(String(v));

function get(list: Record<string, unknown> | Usage | undefined, k: string): Quantity | undefined {
  if (!list) return undefined;
  const v = list instanceof Map ? list.get(k) : list[k];
  return v === undefined ? undefined : q(v);
}

/** minConstraint, maxConstraint and limitRequestRatioConstraint, worded as upstream. */
export function checkItem(type: string, item: LimitRangeItem, requests: Record<string, unknown> | Usage | undefined, limits: Record<string, unknown> | Usage | undefined): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries(item.min ?? {})) {
    const min = q(v);
    const req = get(requests, k);
    const lim = get(limits, k);
    if (!req) errs.push(`minimum ${k} usage per ${type} is ${min.toString()}.  No request is specified`);
    else if (req.cmp(min) < 0) errs.push(`minimum ${k} usage per ${type} is ${min.toString()}, but request is ${req.toString()}`);
    else if (lim && lim.cmp(min) < 0) errs.push(`minimum ${k} usage per ${type} is ${min.toString()}, but limit is ${lim.toString()}`);
  }
  for (const [k, v] of Object.entries(item.max ?? {})) {
    const max = q(v);
    const req = get(requests, k);
    const lim = get(limits, k);
    if (type === 'PersistentVolumeClaim') {
      if (!req) errs.push(`maximum ${k} usage per ${type} is ${max.toString()}.  No request is specified`);
      else if (req.cmp(max) > 0) errs.push(`maximum ${k} usage per ${type} is ${max.toString()}, but request is ${req.toString()}`);
      continue;
    }
    if (!lim) errs.push(`maximum ${k} usage per ${type} is ${max.toString()}.  No limit is specified`);
    else if (lim.cmp(max) > 0) errs.push(`maximum ${k} usage per ${type} is ${max.toString()}, but limit is ${lim.toString()}`);
    else if (req && req.cmp(max) > 0) errs.push(`maximum ${k} usage per ${type} is ${max.toString()}, but request is ${req.toString()}`);
  }
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const ratio = q(v);
    const req = get(requests, k);
    const lim = get(limits, k);
    if (!req || req.isZero()) { errs.push(`${k} max limit to request ratio per ${type} is ${ratio.toString()}, but no request is specified or request is 0`); continue; }
    if (!lim || lim.isZero()) { errs.push(`${k} max limit to request ratio per ${type} is ${ratio.toString()}, but no limit is specified or limit is 0`); continue; }
    const observed = Number(lim.milliValue()) / Number(req.milliValue());
    if (observed * 1000 > Number(ratio.milliValue())) errs.push(`${k} max limit to request ratio per ${type} is ${ratio.toString()}, but provided ratio is ${observed.toFixed(6)}`);
  }
  return errs;
}

/** PodValidateLimitFunc: Container items per container (init ones too), Pod items on the pod's sums. */
export function podLimitErrors(pod: KubeObject, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container') {
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as ContainerLike[]) {
          errs.push(...checkItem('Container', item, c.resources?.requests, c.resources?.limits));
        }
      } else if (item.type === 'Pod') {
        const { requests, limits } = podRequestsAndLimits(pod.spec);
        errs.push(...checkItem('Pod', item, requests, limits));
      }
    }
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc. */
export function claimLimitErrors(pvc: KubeObject, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'PersistentVolumeClaim') errs.push(...checkItem('PersistentVolumeClaim', item, pvc.spec?.resources?.requests, {}));
    }
  }
  return errs;
}

/** admission.NewForbidden over an aggregate: one error bare, several in brackets. */
export function forbidden(plural: string, name: string, errs: string[]): Error {
  const reason = errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
  return failure(403, 'Forbidden', `${plural} "${name}" is forbidden: ${reason}`, { name, kind: plural });
}

/** The whole plugin for one object of `plural` (pods and persistentvolumeclaims; others pass). */
export function admitLimitRanges(plural: string, obj: KubeObject, ranges: readonly LimitRange[]): void {
  if (ranges.length === 0) return;
  let errs: string[] = [];
  if (plural === 'pods') {
    applyLimitRangeDefaults(obj, ranges);
    errs = podLimitErrors(obj, ranges);
  } else if (plural === 'persistentvolumeclaims') {
    errs = claimLimitErrors(obj, ranges);
  }
  if (errs.length) throw forbidden(plural, obj.metadata.name ?? '', errs);
}
