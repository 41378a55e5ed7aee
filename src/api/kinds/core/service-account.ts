/** core/v1 ServiceAccount. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { localObjectReferenceSchema } from './pod-spec.js';

export const objectReferenceSchema = s.object({
  kind: s.string('Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
  namespace: s.string('Namespace of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/'),
  name: s.string('Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names'),
  uid: s.string('UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids'),
  apiVersion: s.string('API version of the referent.'),
  resourceVersion: s.string('Specific resourceVersion to which this reference is made, if any.'),
  fieldPath: s.string('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
}, { name: 'io.k8s.api.core.v1.ObjectReference', mapType: 'atomic', description: 'ObjectReference contains enough information to let you inspect or modify the referred object.' });

export type ObjectReference = Infer<typeof objectReferenceSchema>;

export const serviceAccountSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  secrets: s.array(objectReferenceSchema, { description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  imagePullSecrets: s.array(localObjectReferenceSchema, { description: 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.', listType: 'atomic' }),
  automountServiceAccountToken: s.bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.'),
}, { name: 'io.k8s.api.core.v1.ServiceAccount', gvk: gvk('', 'v1', 'ServiceAccount'), description: 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets' });

export type ServiceAccount = Infer<typeof serviceAccountSchema> & { metadata: ObjectMeta };

export const serviceAccounts = defineKind<ServiceAccount>({
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
  subresources: [],
  schema: serviceAccountSchema, nameValidator: nameIsDNSSubdomain,
  columns: [col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.')],
  cells: (sa) => [(sa.secrets ?? []).length],
});

/** The ServiceAccount every namespace has (the serviceaccounts controller) and pods name by default (admission). */
export const DEFAULT_SERVICE_ACCOUNT = 'default';
