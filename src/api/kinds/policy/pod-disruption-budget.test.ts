/** PodDisruptionBudget validation and printer cells, as upstream's ValidatePodDisruptionBudget and printPodDisruptionBudget. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podDisruptionBudgets, type PodDisruptionBudget } from './pod-disruption-budget.js';

const pdb = (spec: Record<string, unknown>): PodDisruptionBudget =>
  ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'app' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } }) as PodDisruptionBudget;

test('PodDisruptionBudget validation: minAvailable xor maxUnavailable, each an int >= 0 or a percent <= 100%', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['minAvailable int', { minAvailable: 2 }, []],
    ['maxUnavailable percent', { maxUnavailable: '25%' }, []],
    ['both', { minAvailable: 1, maxUnavailable: 1 }, ['spec']],
    ['negative', { minAvailable: -1 }, ['spec.minAvailable']],
    ['over 100%', { maxUnavailable: '101%' }, ['spec.maxUnavailable']],
    ['not a percent', { minAvailable: 'half' }, ['spec.minAvailable']],
    ['bad policy', { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' }, ['spec.unhealthyPodEvictionPolicy']],
    ['bad selector operator', { minAvailable: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }, ['spec.selector.matchExpressions[0].operator']],
  ];
  for (const [what, spec, fields] of cases) {
    const errs = podDisruptionBudgets.validate(pdb(spec));
    assert.deepEqual(errs.map((e) => e.field), fields, `${what}: ${JSON.stringify(errs)}`);
  }
  assert.match(podDisruptionBudgets.validate(pdb({ minAvailable: 1, maxUnavailable: 1 }))[0]!.detail, /minAvailable and maxUnavailable cannot be both set/);
});

test('PodDisruptionBudget table: MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE', () => {
  assert.deepEqual(podDisruptionBudgets.tableColumns.map((c) => c.name), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  const now = new Date();
  const row = podDisruptionBudgets.tableRow({ ...pdb({ maxUnavailable: '25%' }), status: { disruptionsAllowed: 3, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } }, now);
  assert.deepEqual(row.slice(0, 4), ['b', 'N/A', '25%', 3]);
});
