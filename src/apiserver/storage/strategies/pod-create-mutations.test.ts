import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, newEnv, pod, storage } from '../testing/fixtures.js';
import { SCHEDULING_GATED_MESSAGE, mutatePodAffinity } from './pod-create-mutations.js';

test('create: a gated pod starts with PodScheduled=False reason SchedulingGated (upstream applySchedulingGatedCondition)', async () => {
  const env = await newEnv();
  try {
    const pods = storage(env, 'pods');
    const gated = await pods.create(ctx(), 'ns1', pod('gated', { spec: { containers: [{ name: 'c', image: 'i' }], schedulingGates: [{ name: 'example.com/wait' }] } }));
    const [c, ...rest] = gated.status.conditions;
    assert.deepEqual(rest, []);
    assert.equal(c.type, 'PodScheduled');
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'SchedulingGated');
    assert.equal(c.message, SCHEDULING_GATED_MESSAGE);
    assert.equal(c.lastProbeTime, null);
    assert.match(c.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // A condition in the request body is reset with the rest of status; ungated pods get none.
    const plain = await pods.create(ctx(), 'ns1', pod('plain', { status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } }));
    assert.equal(plain.status.conditions, undefined);
  } finally {
    await env.close();
  }
});

test('create: matchLabelKeys / mismatchLabelKeys are merged into pod affinity label selectors (upstream mutatePodAffinity)', async () => {
  const env = await newEnv();
  try {
    const term = (extra: Record<string, unknown>) => ({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } }, ...extra });
    const created = await storage(env, 'pods').create(ctx(), 'ns1', pod('p', {
      metadata: { name: 'p', labels: { app: 'web', 'pod-template-hash': 'abc', tenant: 't1' } },
      spec: {
        containers: [{ name: 'c', image: 'i' }],
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabelKeys: ['pod-template-hash', 'absent'] })] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ mismatchLabelKeys: ['tenant'] }) }] },
        },
      },
    }));
    const aff = created.spec.affinity;
    assert.deepEqual(aff.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector,
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'In', values: ['abc'] }] });
    assert.deepEqual(aff.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector,
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: ['t1'] }] });
    // The keys stay in the spec, as upstream.
    assert.deepEqual(aff.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys, ['pod-template-hash', 'absent']);
  } finally {
    await env.close();
  }
});

test('mutatePodAffinity leaves terms without a labelSelector or without keys alone', () => {
  const noSelector = { topologyKey: 'k', matchLabelKeys: ['app'] };
  const noKeys = { topologyKey: 'k', labelSelector: { matchLabels: { app: 'x' } } };
  const p = { metadata: { labels: { app: 'web' } }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [noSelector, noKeys] } } } };
  mutatePodAffinity(p as never);
  assert.deepEqual(p.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
    { topologyKey: 'k', matchLabelKeys: ['app'] },
    { topologyKey: 'k', labelSelector: { matchLabels: { app: 'x' } } },
  ]);
});
