/**
 * Rule matching as upstream's webhook/predicates/rules/rules_test.go: operations, groups and
 * versions with `*`, resources with subresources (`pods` is the main resource only, `pods/*` every
 * subresource and the main one, `*\/status` one subresource of all), scope, and selectors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceDefinition } from '../../../api/resource.js';
import type { AdmissionAttributes } from '../../storage/types.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type AdmissionRequestInfo, type Rule } from './matching.js';

const pods = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as ResourceDefinition;
const nodes = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false } as ResourceDefinition;
const deployments = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true } as ResourceDefinition;

const req = (def: ResourceDefinition, attrs: Partial<AdmissionAttributes> = {}, nsLabels: Record<string, string> = {}): AdmissionRequestInfo => ({
  def, attrs: { operation: 'CREATE', name: 'x', namespace: def.namespaced ? 'ns' : undefined, ...attrs }, namespaceLabels: () => Promise.resolve(nsLabels),
});
const rule = (r: Partial<Rule>): Rule => ({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], ...r });

test('operations, groups and versions match exactly or by *', () => {
  assert.equal(ruleMatches(rule({ operations: ['CREATE'] }), req(pods)), true);
  assert.equal(ruleMatches(rule({ operations: ['UPDATE', 'DELETE'] }), req(pods)), false);
  assert.equal(ruleMatches(rule({ apiGroups: ['apps'] }), req(deployments)), true);
  assert.equal(ruleMatches(rule({ apiGroups: ['apps'] }), req(pods)), false);
  assert.equal(ruleMatches(rule({ apiGroups: [''] }), req(pods)), true);
  assert.equal(ruleMatches(rule({ apiVersions: ['v1beta1'] }), req(pods)), false);
});

test('resources and subresources as upstream: "*" and "pods" are main resources only; "pods/*" and "*/status" reach subresources', () => {
  const status = { subresource: 'status' };
  assert.equal(ruleMatches(rule({ resources: ['*'] }), req(pods, status)), false);
  assert.equal(ruleMatches(rule({ resources: ['pods'] }), req(pods, status)), false);
  assert.equal(ruleMatches(rule({ resources: ['pods'] }), req(pods)), true);
  assert.equal(ruleMatches(rule({ resources: ['pods/*'] }), req(pods, status)), true);
  assert.equal(ruleMatches(rule({ resources: ['pods/*'] }), req(pods)), true);
  assert.equal(ruleMatches(rule({ resources: ['*/status'] }), req(pods, status)), true);
  assert.equal(ruleMatches(rule({ resources: ['*/status'] }), req(pods, { subresource: 'scale' })), false);
  assert.equal(ruleMatches(rule({ resources: ['*/*'] }), req(deployments, { subresource: 'scale' })), true);
  assert.equal(ruleMatches(rule({ resources: ['deployments/scale'] }), req(deployments, { subresource: 'scale' })), true);
});

test('scope: Cluster matches cluster-scoped kinds, Namespaced the others', () => {
  assert.equal(ruleMatches(rule({ scope: 'Cluster' }), req(nodes)), true);
  assert.equal(ruleMatches(rule({ scope: 'Cluster' }), req(pods)), false);
  assert.equal(ruleMatches(rule({ scope: 'Namespaced' }), req(pods)), true);
  assert.equal(ruleMatches(rule({ scope: 'Namespaced' }), req(nodes)), false);
});

test('a namespaceSelector reads the namespace\'s labels; cluster-scoped objects always match; a Namespace matches on its own labels', async () => {
  const sel = { matchLabels: { env: 'prod' } };
  assert.equal(await namespaceSelectorMatches(sel, req(pods, {}, { env: 'prod' })), true);
  assert.equal(await namespaceSelectorMatches(sel, req(pods, {}, { env: 'dev' })), false);
  assert.equal(await namespaceSelectorMatches(sel, req(nodes)), true);
  const ns = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false } as ResourceDefinition;
  assert.equal(await namespaceSelectorMatches(sel, req(ns, { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { env: 'dev' } } } })), false);
});

test('an objectSelector matches when the new or the old object matches', () => {
  const sel = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] };
  const o = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels } });
  assert.equal(objectSelectorMatches(sel, { operation: 'UPDATE', name: 'x', object: o({}), oldObject: o({ tier: 'web' }) }), true);
  assert.equal(objectSelectorMatches(sel, { operation: 'CREATE', name: 'x', object: o({ tier: 'db' }) }), false);
  assert.equal(objectSelectorMatches({}, { operation: 'DELETE', name: 'x' }), true);
});
