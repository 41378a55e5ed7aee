/**
 * core/v1 Binding: the body of pods/binding (the scheduler's write), and the `bindings` collection
 * that takes the same body with the pod named by metadata.name.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { defineKind } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { objectReferenceSchema } from './service-account.js';

export const bindingSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  target: { ...objectReferenceSchema, description: 'The target object that you want to bind to the standard object.' },
}, { name: 'io.k8s.api.core.v1.Binding', required: ['target'], gvk: [{ group: '', version: 'v1', kind: 'Binding' }], description: 'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.' });

export type Binding = Infer<typeof bindingSchema> & { metadata: ObjectMeta };

/** ValidatePodBinding: the target must be a Node with a name. */
export function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = [];
  if (b.target?.kind && b.target.kind !== 'Node') errs.push(fe.notSupported('target.kind', b.target.kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(fe.required('target.name'));
  return errs;
}

/**
 * `POST /api/v1/namespaces/NS/bindings`: upstream's LegacyBindingREST, create only, served beside
 * pods/binding (what custom schedulers built on the Python client's create_namespaced_binding call).
 * Not stored: the API server routes it to the pod, so it is not part of the registry of kinds.
 */
export const bindings = defineKind<Binding>({
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', namespaced: true, verbs: ['create'],
  schema: bindingSchema, nameValidator: nameIsDNSSubdomain, validate: validateBinding,
});
