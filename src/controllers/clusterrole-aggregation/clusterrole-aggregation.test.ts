/**
 * The aggregation as upstream's pkg/controller/clusterroleaggregation computes it: the rules of
 * every other ClusterRole a selector matches, in name order, each once; no aggregationRule, no
 * opinion. The controller writing them through the API is exercised by test/e2e/rbac.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole } from '../../api/kinds/index.js';
import { aggregatedRules } from './clusterrole-aggregation.js';

const cr = (name: string, labels: Record<string, string>, rules: ClusterRole['rules'], agg?: string): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules,
  ...(agg ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [agg]: 'true' } }] } } : {}),
});

test('an aggregated role gets the matching roles\' rules in name order, each once, never its own', () => {
  const get = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const list = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
  const view = cr('view', { 'to-edit': 'true' }, [{ verbs: ['stale'], apiGroups: [''], resources: ['x'] }], 'to-view');
  const all = [view, cr('z-extra', { 'to-view': 'true' }, [list, get]), cr('a-base', { 'to-view': 'true' }, [get]), cr('unrelated', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])];
  assert.deepEqual(aggregatedRules(view, all), [get, list]);
  assert.equal(aggregatedRules(all[1]!, all), undefined);
  // A role matching nothing aggregates to no rules (upstream writes an empty list).
  assert.deepEqual(aggregatedRules(cr('lonely', {}, undefined, 'nobody'), all), []);
});
