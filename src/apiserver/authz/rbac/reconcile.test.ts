/**
 * The bootstrap policy's reconciliation as upstream's pkg/registry/rbac/reconciliation
 * (computeReconciledRole/RoleBinding with confirm and without removing extras): missing rules,
 * selectors, subjects, labels and annotations are added, what the cluster added stays, a changed
 * roleRef recreates the binding, and autoupdate=false leaves the object alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole } from '../../../api/kinds/rbac/cluster-role.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { reconcileBinding, reconcileRole } from './reconcile.js';

const want = (name: string) => bootstrapClusterRoles().find((r) => r.metadata.name === name)!;

test('a role lacking rules gets them back, keeps its own extras, and is left alone when autoupdate=false', () => {
  const basic = want('system:basic-user');
  const live: ClusterRole = { ...basic, metadata: { name: 'system:basic-user', labels: { mine: 'yes' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] };
  const out = reconcileRole(live, basic)!;
  assert.deepEqual(out.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, ...basic.rules!.flatMap((r) => r.resources!.map((res) => ({ apiGroups: r.apiGroups, resources: [res], verbs: r.verbs })))]);
  assert.deepEqual(out.metadata.labels, { mine: 'yes', 'kubernetes.io/bootstrapping': 'rbac-defaults' });
  assert.equal(out.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.equal(reconcileRole(out, basic), undefined, 'nothing left to do');
  assert.equal(reconcileRole({ ...live, metadata: { ...live.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } }, basic), undefined);
});

test('an aggregated role gets its selectors, never rules', () => {
  const view = want('view');
  const out = reconcileRole({ ...view, aggregationRule: undefined, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, view)!;
  assert.deepEqual(out.aggregationRule, view.aggregationRule);
  assert.deepEqual(out.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
});

test('a binding gets missing subjects, keeps extra ones, and is recreated when its roleRef changed', () => {
  const b = bootstrapClusterRoleBindings().find((x) => x.metadata.name === 'system:basic-user')!;
  const extra = { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' };
  const out = reconcileBinding({ ...b, subjects: [extra] }, b)!;
  assert.equal(out.recreate, false);
  assert.deepEqual(out.binding.subjects, [extra, ...b.subjects!]);
  assert.equal(reconcileBinding(out.binding, b), undefined);
  assert.equal(reconcileBinding({ ...b, roleRef: { ...b.roleRef, name: 'view' } }, b)!.recreate, true);
});
