/** core/v1 Pod: schema, SetDefaults_Pod, update rules (ValidatePodUpdate) and the resource definition. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { podSpecSchema } from './pod-spec.js';
import { podStatusSchema } from './pod-status.js';
import { normalizePodIPs, validatePodStatusIPs } from './pod-status-validation.js';
import { podCells, podColumns } from './pod-table.js';
import { deepEqual } from '../../schema/equal.js';
import { cloneJson } from '../../json-clone.js';
import { podQOSClass } from '../../pod-qos.js';

export { podQOSClass };

export const podSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...podSpecSchema, description: 'Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...podStatusSchema, description: 'Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, {
  name: 'io.k8s.api.core.v1.Pod', gvk: gvk('', 'v1', 'Pod'),
  description: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
});

export type Pod = Infer<typeof podSchema> & { metadata: ObjectMeta };

type AnyContainer = { resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> } };

/** SetDefaults_Pod (requests from limits, enableServiceLinks) and PrepareForCreate's Pending phase. */
function defaultPod(pod: Pod): void {
  normalizePodIPs(pod);
  if (!pod.spec) return;
  if (pod.spec.enableServiceLinks === undefined) pod.spec.enableServiceLinks = true;
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as AnyContainer[]) {
    const limits = c.resources?.limits;
    if (!limits || !c.resources) continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  pod.status ??= {};
  if (!pod.status.phase) pod.status.phase = 'Pending';
  if (!pod.status.qosClass) pod.status.qosClass = podQOSClass(pod);
}

const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate's spec rule: only images, activeDeadlineSeconds, added tolerations and removed gates may change. */
function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  // An unchanged spec (every /status write, a finalizer or label patch) breaks no rule below.
  if (deepEqual(pod.spec, old.spec)) return [];
  const errs: FieldError[] = [];
  const nu = cloneJson(pod.spec ?? {}) as any;
  const od = (old.spec ?? {}) as any;
  for (const key of ['containers', 'initContainers'] as const) {
    (nu[key] ?? []).forEach((c: any, i: number) => {
      const prev = od[key]?.[i];
      if (prev) c.image = prev.image;
    });
  }
  nu.activeDeadlineSeconds = od.activeDeadlineSeconds;
  const oldTol = od.tolerations ?? [];
  const newTol = nu.tolerations ?? [];
  if (oldTol.every((t: unknown) => newTol.some((n: unknown) => deepEqual(n, t)))) nu.tolerations = od.tolerations;
  if (od.terminationGracePeriodSeconds < 0 && nu.terminationGracePeriodSeconds === 1) nu.terminationGracePeriodSeconds = od.terminationGracePeriodSeconds;
  const oldGates = od.schedulingGates ?? [];
  if ((nu.schedulingGates ?? []).every((g: unknown) => oldGates.some((o: unknown) => deepEqual(o, g)))) nu.schedulingGates = od.schedulingGates;
  if (!deepEqual(nu, od)) {
    const changed = Object.keys({ ...nu, ...od }).filter((k) => !deepEqual(nu[k], od[k])).sort();
    errs.push(fe.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE.join(',')}\n  changed: ${changed.map((k) => `spec.${k}`).join(', ')}`));
  }
  if (od.activeDeadlineSeconds !== undefined && pod.spec?.activeDeadlineSeconds === undefined) {
    errs.push(fe.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  } else if (od.activeDeadlineSeconds !== undefined && (pod.spec?.activeDeadlineSeconds ?? 0) > od.activeDeadlineSeconds) {
    errs.push(fe.invalid('spec.activeDeadlineSeconds', pod.spec!.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }
  return errs;
}

export const pods = defineKind<Pod>({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true,
  shortNames: ['po'], categories: ['all'],
  subresources: ['status', 'ephemeralcontainers', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'],
  schema: podSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultPod,
  // Ephemeral containers on create are refused by the pods strategy (validate sees no old object here).
  validate: (pod) => validatePodStatusIPs(pod),
  validateUpdate: validatePodUpdate,
  // Pods carry no metadata.generation in 1.32 (PodObservedGenerationTracking came later).
  hasStatusSubresource: true, tracksGeneration: false,
  selectableFields: (pod) => ({
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIPs?.[0]?.ip ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  }),
  columns: podColumns, cells: podCells, ageAt: 3,
});
