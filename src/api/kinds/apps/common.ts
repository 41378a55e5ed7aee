/** Pieces the apps kinds share: condition shapes and the CONTAINERS/IMAGES cells. */
import { s } from '../../schema/builders.js';

/**
 * DeploymentCondition / ReplicaSetCondition / StatefulSetCondition (same fields; Deployment's adds
 * lastUpdateTime). The TypeScript type always has lastUpdateTime (optional, as every condition field
 * but type and status), so that one condition type serves the workload controllers; the served schema
 * has it only with `withUpdateTime`.
 */
export function workloadConditionSchema(name: string, what: string, withUpdateTime = false) {
  const props = {
    type: s.string(`Type of ${what} condition.`),
    status: s.string('Status of the condition, one of True, False, Unknown.'),
    lastUpdateTime: s.time('The last time this condition was updated.'),
    lastTransitionTime: s.time('The last time the condition transitioned from one status to another.'),
    reason: s.string("The reason for the condition's last transition."),
    message: s.string('A human readable message indicating details about the transition.'),
  };
  if (!withUpdateTime) delete (props as Partial<typeof props>).lastUpdateTime;
  return s.object(props, { name: `io.k8s.api.apps.v1.${name}`, required: ['type', 'status'], description: `${name} describes the state of a ${what} at a certain point.` });
}

/** layoutContainerCells: container names and images, comma-joined. */
export function containerCells(containers: { name: string; image?: string }[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}
