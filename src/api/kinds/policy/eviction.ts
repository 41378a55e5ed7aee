/** policy/v1 Eviction: the body of pods/eviction (kubectl drain). */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { deleteOptionsSchema } from '../meta/meta-types.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const evictionSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: 'ObjectMeta describes the pod that is being evicted.' },
  deleteOptions: { ...deleteOptionsSchema, description: 'DeleteOptions may be provided' },
}, { name: 'io.k8s.api.policy.v1.Eviction', gvk: [{ group: 'policy', version: 'v1', kind: 'Eviction' }], description: 'Eviction evicts a pod from its node subject to certain policies and safety constraints. This is a subresource of Pod.  A request to cause such an eviction is created by POSTing to .../pods/<pod name>/evictions.' });

export type Eviction = Infer<typeof evictionSchema> & { metadata: ObjectMeta };
