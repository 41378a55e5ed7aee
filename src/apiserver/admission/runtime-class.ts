/**
 * The RuntimeClass admission plugin (upstream plugin/pkg/admission/runtimeclass/admission.go), on
 * pod CREATE: a pod naming a RuntimeClass that does not exist is refused (403 `pod rejected:
 * RuntimeClass "x" not found`); the class's overhead.podFixed becomes spec.overhead (a pod that
 * sets another overhead, or one without a class overhead, is refused); the class's
 * scheduling.nodeSelector is merged into the pod's (a conflicting value is refused) and its
 * tolerations appended unless the pod already has them (tolerations.MergeTolerations).
 */
import type { RuntimeClass } from '../../api/kinds/node/runtime-class.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';

export type RuntimeClassLookup = (name: string) => Promise<RuntimeClass | undefined>;

interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }
interface PodSpecPart { runtimeClassName?: string; overhead?: Record<string, string>; nodeSelector?: Record<string, string>; tolerations?: Toleration[] }

function forbidden(pod: KubeObject, why: string): Error {
  const name = pod.metadata.name || pod.metadata.generateName || '';
  return failure(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
}

const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '')
  && (a.effect ?? '') === (b.effect ?? '') && a.tolerationSeconds === b.tolerationSeconds;

function sameOverhead(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
}

/** Mutates a pod being created as the plugin's Admit and Validate do, or throws a 403. */
export async function admitPodRuntimeClass(pod: KubeObject, lookup: RuntimeClassLookup): Promise<void> {
  const spec = (pod.spec ?? {}) as PodSpecPart;
  const className = spec.runtimeClassName;
  if (!className) return;
  const rc = await lookup(className);
  if (!rc) throw forbidden(pod, `pod rejected: RuntimeClass "${className}" not found`);

  const fixed = rc.overhead?.podFixed as Record<string, string> | undefined;
  if (fixed) {
    if (spec.overhead && !sameOverhead(spec.overhead, fixed)) throw forbidden(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    spec.overhead = { ...fixed };
  } else if (spec.overhead) {
    throw forbidden(pod, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  }

  const sched = rc.scheduling;
  if (!sched) return;
  const selector = { ...(spec.nodeSelector ?? {}) };
  for (const [key, value] of Object.entries(sched.nodeSelector ?? {})) {
    if (key in selector && selector[key] !== value) {
      throw forbidden(pod, `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${selector[key]}`);
    }
    selector[key] = value;
  }
  if (Object.keys(selector).length > 0) spec.nodeSelector = selector;
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of (sched.tolerations ?? []) as Toleration[]) if (!tolerations.some((have) => sameToleration(have, t))) tolerations.push({ ...t });
  if (tolerations.length > 0) spec.tolerations = tolerations;
}
