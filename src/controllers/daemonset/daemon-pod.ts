/**
 * What a daemon pod looks like (upstream pkg/controller/daemon/util/daemonset_util.go): the
 * template plus the tolerations every daemon pod gets, the revision labels, and a required node
 * affinity on `metadata.name` that makes the scheduler bind it to its one node.
 */
import type { Affinity, DaemonSet, PodSpec, PodTemplateSpec, Toleration } from '../../api/kinds/index.js';
import type { Pod } from '../../api/kinds/core/pod.js';

/** apps.DefaultDaemonSetUniqueLabelKey: the revision hash on daemon pods and their ControllerRevisions. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey: the deprecated template generation label. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** How apps/v1 carries spec.templateGeneration (set by the API server's strategy). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive node problems (not-ready and unreachable
 * NoExecute forever) and are placed on nodes under pressure or cordoned (NoSchedule); host-network
 * pods also on nodes whose network is not ready.
 */
export function daemonPodTolerations(spec: Pick<PodSpec, 'tolerations' | 'hostNetwork'>): Toleration[] {
  let list = [...(spec.tolerations ?? [])];
  const add = (key: string, effect: 'NoExecute' | 'NoSchedule') => {
    const t: Toleration = { key, operator: 'Exists', effect };
    // AddOrUpdateTolerationInPodSpec: a toleration with the same key/operator/value/effect is replaced.
    const same = (o: Toleration) => o.key === t.key && (o.operator ?? '') === t.operator && (o.value ?? '') === '' && (o.effect ?? '') === t.effect;
    if (list.some(same)) list = list.map((o) => (same(o) ? t : o));
    else list.push(t);
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return list;
}

/** The DaemonSet's template generation from its annotation, if it parses. */
export function templateGeneration(ds: Readonly<DaemonSet>): number | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** IsPodUpdated: the pod carries the current revision hash (or, for old pods, the template generation). */
export function isPodUpdated(pod: Readonly<Pod>, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** CreatePodTemplate: the template with daemon tolerations and the generation and hash labels. */
export function daemonPodTemplate(ds: Readonly<DaemonSet>, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec!.template) as PodTemplateSpec;
  t.spec ??= { containers: [] };
  t.spec.tolerations = daemonPodTolerations(t.spec);
  t.metadata ??= {};
  const labels: Record<string, string> = { ...t.metadata.labels };
  const gen = templateGeneration(ds);
  if (gen !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(gen);
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  t.metadata.labels = labels;
  return t;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes one term matching
 * the node by `metadata.name` (the controller already checked the template's own terms).
 */
export function nodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [nodeName] }] };
  const out = structuredClone(affinity ?? {}) as Affinity;
  out.nodeAffinity = { ...out.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return out;
}

/**
 * GetTargetNodeName: the node a daemon pod is bound to, or the one its node affinity names while it
 * waits for the scheduler. Undefined for a pod with neither.
 */
export function targetNodeName(pod: Readonly<Pod>): string | undefined {
  const spec = pod.spec;
  if (spec?.nodeName) return spec.nodeName;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
