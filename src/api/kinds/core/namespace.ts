/** core/v1 Namespace: DNS-1123 label names, the kubernetes.io/metadata.name label, phase Active. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import { col } from '../../table/columns.js';
import { ALL_VERBS, defineKind, gvk } from '../define.js';
import { nameIsDNSLabel } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const V1 = 'io.k8s.api.core.v1';

export const namespaceSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    finalizers: s.strings('Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/'),
  }, { name: `${V1}.NamespaceSpec`, description: 'Spec defines the behavior of the Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' }),
  status: s.object({
    phase: s.string({ description: 'Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/\n\nPossible enum values:\n - `"Active"` means the namespace is available for use in the system\n - `"Terminating"` means the namespace is undergoing graceful termination', enum: ['Active', 'Terminating'] }),
    conditions: s.array(s.object({
      type: s.string('Type of namespace controller condition.'),
      status: s.string('Status of the condition, one of True, False, Unknown.'),
      lastTransitionTime: s.time('Last time the condition transitioned from one status to another.'),
      reason: s.string('Unique, one-word, CamelCase reason for the condition\'s last transition.'),
      message: s.string('Human-readable message indicating details about last transition.'),
    }, { name: `${V1}.NamespaceCondition`, required: ['type', 'status'], description: 'NamespaceCondition contains details about state of namespace.' }), {
      description: 'Represents the latest available observations of a namespace\'s current state.', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'],
    }),
  }, { name: `${V1}.NamespaceStatus`, description: 'Status describes the current status of a Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' }),
}, { name: `${V1}.Namespace`, gvk: gvk('', 'v1', 'Namespace'), description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.' });

export type Namespace = Infer<typeof namespaceSchema> & { metadata: ObjectMeta };

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const namespaces = defineKind<Namespace>({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
  verbs: ALL_VERBS.filter((v) => v !== 'deletecollection'),
  subresources: ['status'],
  schema: namespaceSchema, nameValidator: nameIsDNSLabel,
  defaults: (ns) => {
    // SetDefaults_Namespace and the strategy's PrepareForCreate.
    if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name };
    ns.spec ??= {};
    ns.spec.finalizers ??= ['kubernetes'];
    ns.status ??= {};
    ns.status.phase ??= 'Active';
  },
  validate: (ns) => (ns.metadata.labels?.[NAMESPACE_NAME_LABEL] !== undefined && ns.metadata.labels[NAMESPACE_NAME_LABEL] !== ns.metadata.name
    ? [fe.invalid(`metadata.labels[${NAMESPACE_NAME_LABEL}]`, ns.metadata.labels[NAMESPACE_NAME_LABEL], `must be ${ns.metadata.name}`)]
    : []),
  hasStatusSubresource: true,
  selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
  columns: [col('Status', 'string', 'The status of the namespace')],
  cells: (ns) => [ns.status?.phase ?? ''],
  protobufMessage: 'k8s.io.api.core.v1.Namespace',
});
