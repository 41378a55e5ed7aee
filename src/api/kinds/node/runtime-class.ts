/**
 * node.k8s.io/v1 RuntimeClass as upstream (pkg/apis/node/validation): the CRI handler a pod runs
 * with (handler a DNS label, immutable), the pod overhead it adds, and the scheduling constraints
 * (nodeSelector, tolerations) the RuntimeClass admission merges into pods. Printed as
 * printRuntimeClass: NAME, HANDLER, AGE.
 */
import type { ObjectMeta } from '../../meta.js';
import { parseQuantity, Quantity } from '../../quantity/index.js';
import { s } from '../../schema/builders.js';
import { child, fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { tolerationSchema } from '../core/affinity.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Label, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { validateLabels } from '../meta/validation.js';

const ZERO = Quantity.fromValue(0);

export const overheadSchema = s.object({
  podFixed: s.map(s.quantity(), 'podFixed represents the fixed resource overhead associated with running a pod.'),
}, { name: 'io.k8s.api.node.v1.Overhead', description: 'Overhead structure represents the resource overhead associated with running a pod.' });

export const schedulingSchema = s.object({
  nodeSelector: s.stringMap({ description: "nodeSelector lists labels that must be present on nodes that support this RuntimeClass. Pods using this RuntimeClass can only be scheduled to a node matched by this selector. The RuntimeClass nodeSelector is merged with a pod's existing nodeSelector. Any conflicts will cause the pod to be rejected in admission.", mapType: 'atomic' }),
  tolerations: s.array(tolerationSchema, { description: 'tolerations are appended (excluding duplicates) to pods running with this RuntimeClass during admission, effectively unioning the set of nodes tolerated by the pod and the RuntimeClass.', listType: 'atomic' }),
}, { name: 'io.k8s.api.node.v1.Scheduling', description: 'Scheduling specifies the scheduling constraints for nodes supporting a RuntimeClass.' });

export const runtimeClassSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  handler: s.string('handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The possible values are specific to the node & CRI configuration.  It is assumed that all handlers are available on every node, and handlers of the same name are equivalent on every node. For example, a handler called "runc" might specify that the runc OCI runtime (using native Linux containers) will be used to run the containers in a pod. The Handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable.'),
  overhead: { ...overheadSchema, description: 'overhead represents the resource overhead associated with running a pod for a given RuntimeClass. For more details, see\n https://kubernetes.io/docs/concepts/scheduling-eviction/pod-overhead/' },
  scheduling: { ...schedulingSchema, description: 'scheduling holds the scheduling constraints to ensure that pods running with this RuntimeClass are scheduled to nodes that support it. If scheduling is nil, this RuntimeClass is assumed to be supported by all nodes.' },
}, { name: 'io.k8s.api.node.v1.RuntimeClass', gvk: gvk('node.k8s.io', 'v1', 'RuntimeClass'), required: ['handler'], description: 'RuntimeClass defines a class of container runtime supported in the cluster. The RuntimeClass is used to determine which container runtime is used to run all containers in a pod. RuntimeClasses are manually defined by a user or cluster provisioner, and referenced in the PodSpec. The Kubelet is responsible for resolving the RuntimeClassName reference before running the pod.  For more details, see https://kubernetes.io/docs/concepts/containers/runtime-class/' });

export type RuntimeClass = Infer<typeof runtimeClassSchema> & { metadata: ObjectMeta };

/** validateOverhead: each podFixed quantity a valid resource amount, not negative. */
function validateOverhead(podFixed: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(podFixed ?? {})) {
    try {
      if (parseQuantity(String(q)).cmp(ZERO) < 0) errs.push(fe.invalid(child(path, name), String(q), 'must be greater than or equal to 0'));
    } catch { /* the schema reported it */ }
  }
  return errs;
}

/** validateScheduling: nodeSelector labels, and tolerations as the node package's validateTolerations. */
function validateScheduling(rc: RuntimeClass): FieldError[] {
  const errs = validateLabels(rc.scheduling?.nodeSelector, 'scheduling.nodeSelector');
  const seen = new Set<string>();
  (rc.scheduling?.tolerations ?? []).forEach((t, i) => {
    const key = JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
    if (seen.has(key)) errs.push(fe.duplicate(index('scheduling.tolerations', i), t));
    seen.add(key);
  });
  return errs;
}

function validateRuntimeClass(rc: RuntimeClass): FieldError[] {
  const errs = isDNS1123Label(rc.handler ?? '').map((m) => fe.invalid('handler', rc.handler ?? '', m));
  errs.push(...validateOverhead(rc.overhead?.podFixed, 'overhead.podFixed'), ...validateScheduling(rc));
  return errs;
}

export const runtimeClasses = defineKind<RuntimeClass>({
  group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false,
  schema: runtimeClassSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateRuntimeClass,
  validateUpdate: (rc, old) => (rc.handler !== old.handler ? [fe.invalid('handler', rc.handler ?? '', 'field is immutable')] : []),
  columns: [col('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.')],
  cells: (rc) => [rc.handler ?? ''],
});
