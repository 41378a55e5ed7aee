/**
 * rbac.authorization.k8s.io/v1 RoleBinding: subjects granted a Role of the same namespace or a
 * ClusterRole within the namespace (types.go); roleRef is immutable (ValidateRoleBindingUpdate).
 * Printed as printRoleBinding: NAME, ROLE (Kind/name), AGE, and USERS, GROUPS, SERVICEACCOUNTS wide.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { defaultBinding, nameIsPathSegment, roleRefSchema, subjectCells, subjectSchema, validateRbacBinding, validateRbacBindingUpdate, type RoleRef, type Subject } from './policy-rule.js';

/** The binding kinds' printer columns (roleBindingColumnDefinitions / clusterRoleBindingColumnDefinitions). */
export const bindingColumns = [
  col('Role', 'string', 'Role of the RoleBinding.'),
  col('Users', 'string', 'Users in the RoleBinding.', true),
  col('Groups', 'string', 'Groups in the RoleBinding.', true),
  col('ServiceAccounts', 'string', 'ServiceAccounts in the RoleBinding.', true),
];

export const bindingCells = (b: { roleRef: RoleRef; subjects?: Subject[] }): unknown[] => [`${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, ...subjectCells(b.subjects)];

/** The schema both binding kinds share but for their names and descriptions. */
export const rbacBindingSchema = <K extends string>(kind: K, description: string) => s.object({
  ...typeMeta,
  metadata: standardMetadata,
  subjects: s.array(subjectSchema, { description: 'Subjects holds references to the objects the role applies to.', listType: 'atomic' }),
  roleRef: roleRefSchema,
}, { name: `io.k8s.api.rbac.v1.${kind}`, required: ['roleRef'], gvk: gvk('rbac.authorization.k8s.io', 'v1', kind), description });

export const roleBindingSchema = rbacBindingSchema('RoleBinding', 'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.');

export type RoleBinding = Infer<typeof roleBindingSchema> & { metadata: ObjectMeta };

/** A binding kind's definition: RoleBinding (namespaced) or ClusterRoleBinding. */
export function defineBindingKind<T extends RoleBinding>(kind: string, plural: string, namespaced: boolean, schema: typeof roleBindingSchema) {
  return defineKind<T>({
    group: 'rbac.authorization.k8s.io', version: 'v1', kind, plural, namespaced,
    schema, nameValidator: nameIsPathSegment,
    defaults: defaultBinding,
    validate: (b) => validateRbacBinding(b, namespaced),
    validateUpdate: validateRbacBindingUpdate,
    columns: bindingColumns,
    ageAt: 1,
    cells: bindingCells,
    protobufMessage: `k8s.io.api.rbac.v1.${kind}`,
  });
}

export const roleBindings = defineBindingKind<RoleBinding>('RoleBinding', 'rolebindings', true, roleBindingSchema);
