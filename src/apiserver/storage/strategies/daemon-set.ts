/**
 * apps/v1 DaemonSet (upstream pkg/registry/apps/daemonset/strategy.go): the workload rules (status
 * writes keep labels, PodSecurity warnings on the template) plus spec.templateGeneration, which v1
 * carries as the `deprecated.daemonset.template.generation` annotation: 1 on create, carried over
 * on update and incremented when the pod template changed. Clients cannot set it.
 */
import type { KubeObject } from '../../../api/meta.js';
import { deepEqual } from '../../../api/schema/equal.js';
import type { Strategy } from './types.js';
import { workloadStrategy } from './workload.js';

export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

function template(obj: KubeObject): unknown {
  return (obj as { spec?: { template?: unknown } }).spec?.template ?? null;
}

function setGeneration(obj: KubeObject, gen: number): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(gen) };
}

export const daemonSetStrategy: Strategy = {
  ...workloadStrategy,
  prepareForCreate(obj) {
    setGeneration(obj, 1);
  },
  prepareForUpdate(obj, old) {
    const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? 0) || 0;
    const changed = !deepEqual(template(obj), template(old));
    setGeneration(obj, changed ? prev + 1 : prev);
  },
};
