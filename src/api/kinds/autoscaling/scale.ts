/** autoscaling/v1 Scale: the body of deployments/scale and replicasets/scale. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const scaleSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    replicas: s.int('replicas is the desired number of instances for the scaled object.'),
  }, { name: 'io.k8s.api.autoscaling.v1.ScaleSpec', description: 'spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.' }),
  status: s.object({
    replicas: s.int('replicas is the actual number of observed instances of the scaled object.'),
    selector: s.string('selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/'),
  }, { name: 'io.k8s.api.autoscaling.v1.ScaleStatus', required: ['replicas'], description: 'status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.' }),
}, { name: 'io.k8s.api.autoscaling.v1.Scale', gvk: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }], description: 'Scale represents a scaling request for a resource.' });

export type Scale = Infer<typeof scaleSchema> & { metadata: ObjectMeta };
