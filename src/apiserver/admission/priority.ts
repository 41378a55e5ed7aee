/**
 * The Priority admission plugin (upstream plugin/pkg/admission/priority/admission.go):
 *   - pod CREATE: spec.priority (and spec.preemptionPolicy) from spec.priorityClassName; a pod
 *     naming no class gets the globalDefault class (the lowest-valued one if several), else
 *     priority 0 and PreemptLowerPriority; an unknown class is refused with 403
 *     `no PriorityClass with name x was found`; a pod that sets spec.priority or
 *     spec.preemptionPolicy itself to a different value than the class gives is refused (403);
 *   - PriorityClass CREATE/UPDATE: only one class may be globalDefault (403).
 */
import type { PriorityClass } from '../../api/kinds/scheduling/priority-class.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';

/** Every PriorityClass; `fresh` asks for a read of the store itself rather than a cached copy. */
export type PriorityClassList = (fresh?: boolean) => Promise<PriorityClass[]>;

function forbidden(resource: string, obj: KubeObject, why: string): Error {
  const name = obj.metadata.name || obj.metadata.generateName || '';
  return failure(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, { name, kind: resource });
}

/** getDefaultPriorityClass: among globalDefault classes, the one with the lowest value. */
export function defaultPriorityClass(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault && (!best || pc.value < best.value)) best = pc;
  return best;
}

/** Mutates a pod being created as the plugin's admitPod does, or throws a 403. */
export async function admitPodPriority(pod: KubeObject, list: PriorityClassList): Promise<void> {
  const spec = (pod.spec ??= {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
  const classes = await list();
  let priority: number;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const def = defaultPriorityClass(classes);
    if (def) {
      spec.priorityClassName = def.metadata.name;
      priority = def.value;
      policy = def.preemptionPolicy ?? 'PreemptLowerPriority';
    } else {
      priority = 0;
      policy = 'PreemptLowerPriority';
    }
  } else {
    const named = (list: PriorityClass[]) => list.find((c) => c.metadata.name === spec.priorityClassName);
    const pc = named(classes) ?? named(await list(true));
    if (!pc) throw forbidden('pods', pod, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== priority) {
    throw forbidden('pods', pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy !== undefined) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
      throw forbidden('pods', pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

/** validatePriorityClass: a second globalDefault class is refused. */
export async function admitPriorityClass(pc: PriorityClass, list: PriorityClassList): Promise<void> {
  if (!pc.globalDefault) return;
  const other = (await list(true)).find((c) => c.globalDefault && c.metadata.name !== pc.metadata.name);
  if (other) throw forbidden('priorityclasses.scheduling.k8s.io', pc, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
}
