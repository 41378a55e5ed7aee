/**
 * rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide PolicyRules, or an aggregationRule whose
 * clusterRoleSelectors pick ClusterRoles whose rules the clusterrole-aggregation controller copies
 * in (types.go; ValidateClusterRole: selectors must be valid, at least one when the rule is set).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, validateLabelSelector } from '../meta/label-selector.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { nameIsPathSegment, policyRuleSchema, validateRules } from './policy-rule.js';
import { roleTable } from './role.js';

export const clusterRoleSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  rules: s.array(policyRuleSchema, { description: 'Rules holds all the PolicyRules for this ClusterRole', listType: 'atomic' }),
  aggregationRule: s.object({
    clusterRoleSelectors: s.array(labelSelectorSchema, { description: "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added", listType: 'atomic' }),
  }, { name: 'io.k8s.api.rbac.v1.AggregationRule', description: 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole' }),
}, { name: 'io.k8s.api.rbac.v1.ClusterRole', gvk: gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRole'), description: 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.' });

export type ClusterRole = Infer<typeof clusterRoleSchema> & { metadata: ObjectMeta };

function validateClusterRole(r: ClusterRole): FieldError[] {
  const errs = validateRules(r.rules, false);
  if (r.aggregationRule) {
    const sels = r.aggregationRule.clusterRoleSelectors ?? [];
    if (sels.length === 0) errs.push(fe.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((sel, i) => errs.push(...validateLabelSelector(sel, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

export const clusterRoles = defineKind<ClusterRole>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false,
  schema: clusterRoleSchema, nameValidator: nameIsPathSegment,
  validate: validateClusterRole,
  table: roleTable,
  protobufMessage: 'k8s.io.api.rbac.v1.ClusterRole',
});
