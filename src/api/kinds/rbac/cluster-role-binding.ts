/**
 * rbac.authorization.k8s.io/v1 ClusterRoleBinding: subjects granted a ClusterRole everywhere
 * (types.go); roleRef must be a ClusterRole and is immutable. Printed as printClusterRoleBinding.
 */
import type { ObjectMeta } from '../../meta.js';
import type { Infer } from '../../schema/types.js';
import { rbacBindingSchema, defineBindingKind } from './role-binding.js';

export const clusterRoleBindingSchema = rbacBindingSchema('ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.');

export type ClusterRoleBinding = Infer<typeof clusterRoleBindingSchema> & { metadata: ObjectMeta };

export const clusterRoleBindings = defineBindingKind<ClusterRoleBinding>('ClusterRoleBinding', 'clusterrolebindings', false, clusterRoleBindingSchema);
