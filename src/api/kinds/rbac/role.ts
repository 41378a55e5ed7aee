/**
 * rbac.authorization.k8s.io/v1 Role: a namespaced set of PolicyRules (types.go), validated as
 * ValidateRole (rules: ValidatePolicyRule with namespaced rules, which may not name non-resource
 * URLs), printed as upstream's printRole (NAME, CREATED AT).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, NAME_DESCRIPTION } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { nameIsPathSegment, policyRuleSchema, validateRules } from './policy-rule.js';

export const CREATED_AT_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** roleColumnDefinitions / clusterRoleColumnDefinitions: Name and Created At (RFC3339, UTC). */
export const roleTable = {
  columns: [
    { name: 'Name', type: 'string' as const, format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    col('Created At', 'date', CREATED_AT_DESCRIPTION),
  ],
  row: (obj: { metadata?: ObjectMeta }) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? ''],
};

export const roleSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  rules: s.array(policyRuleSchema, { description: 'Rules holds all the PolicyRules for this Role', listType: 'atomic' }),
}, { name: 'io.k8s.api.rbac.v1.Role', gvk: gvk('rbac.authorization.k8s.io', 'v1', 'Role'), description: 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.' });

export type Role = Infer<typeof roleSchema> & { metadata: ObjectMeta };

export const roles = defineKind<Role>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true,
  schema: roleSchema, nameValidator: nameIsPathSegment,
  validate: (r) => validateRules(r.rules, true),
  table: roleTable,
  protobufMessage: 'k8s.io.api.rbac.v1.Role',
});
