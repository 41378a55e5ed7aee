/**
 * pods/eviction honouring PodDisruptionBudgets, over the real kinds (as upstream's
 * pkg/registry/core/pod/storage/eviction_test.go): the decisions table-tested, then the subresource
 * end to end on a memory store (429 with the DisruptionBudget cause, the budget's status spent with
 * disruptedPods, 500 for two budgets, terminal and budget-less pods deleted at once, the
 * DisruptionTarget condition, dry runs writing nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../api/kinds/core/pod.js';
import type { PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import { registry } from '../../../api/registry.js';
import type { Status } from '../../../api/status.js';
import { MemoryStore } from '../../../store/memory.js';
import { createStorages } from '../storage-set.js';
import { ctx } from '../testing/fixtures.js';
import { rejectsStatus } from '../testing/assert-status.js';
import { budgetsFor, budgetVerdict, canIgnorePDB, checkAndDecrement, EVICTION_VIOLATES_BUDGET } from './eviction-decision.js';

const ready = [{ type: 'Ready', status: 'True' }];
const mkPod = (name: string, phase: string, conds: { type: string; status: string }[] = ready, labels: Record<string, string> = { app: 'web' }, deleting = false): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'app', labels, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase, conditions: conds },
}) as Pod;
const mkPdb = (name: string, status: Partial<PodDisruptionBudget['status']> & object, spec: PodDisruptionBudget['spec'] = { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }, generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'app', generation }, spec,
  status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...status },
});

test('eviction decisions: canIgnorePDB, budgetsFor, budgetVerdict', () => {
  for (const [phase, deleting, want] of [['Succeeded', false, true], ['Failed', false, true], ['Pending', false, true], ['Running', true, true], ['Running', false, false]] as const) {
    assert.equal(canIgnorePDB(mkPod('p', phase, ready, {}, deleting)), want, `${phase} deleting=${deleting}`);
  }
  const web = mkPod('p', 'Running');
  const emptySel = mkPdb('empty', {}, { minAvailable: 1, selector: {} });
  const other = mkPdb('other', {}, { minAvailable: 1, selector: { matchLabels: { app: 'db' } } });
  const elsewhere = { ...mkPdb('elsewhere', {}), metadata: { name: 'elsewhere', namespace: 'other' } };
  assert.deepEqual(budgetsFor(web, [emptySel, other, elsewhere, mkPdb('b', {})]).map((b) => b.metadata.name), ['b'], 'an empty selector matches nothing');
  const cases: [string, Pod, PodDisruptionBudget[], string][] = [
    ['no budget', web, [], 'none'],
    ['two budgets', web, [mkPdb('a', {}), mkPdb('b', {})], 'multiple'],
    ['ready pod spends a disruption', web, [mkPdb('a', { currentHealthy: 3, desiredHealthy: 2 })], 'decrement'],
    ['unready pod, healthy budget', mkPod('p', 'Running', []), [mkPdb('a', { currentHealthy: 2, desiredHealthy: 2 })], 'unhealthy'],
    ['unready pod, budget short (IfHealthyBudget)', mkPod('p', 'Running', []), [mkPdb('a', { currentHealthy: 1, desiredHealthy: 2 })], 'decrement'],
    ['unready pod, desiredHealthy 0', mkPod('p', 'Running', []), [mkPdb('a', { currentHealthy: 0, desiredHealthy: 0 })], 'decrement'],
    ['unready pod, AlwaysAllow', mkPod('p', 'Running', []), [mkPdb('a', { currentHealthy: 1, desiredHealthy: 2 }, { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' })], 'unhealthy'],
  ];
  for (const [what, pod, pdbs, kind] of cases) assert.equal(budgetVerdict(pod, pdbs).kind, kind, what);
});

test('eviction decisions: checkAndDecrement', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const spent = checkAndDecrement(mkPdb('b', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2 }), 'p', now, false);
  assert.equal(spent.status!.disruptionsAllowed, 0);
  assert.deepEqual(spent.status!.disruptedPods, { p: '2026-01-01T00:00:00Z' });
  assert.deepEqual(spent.status!.conditions!.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
  assert.equal(checkAndDecrement(mkPdb('b', { disruptionsAllowed: 2 }), 'p', now, true).status!.disruptedPods, undefined, 'a dry run records no pod');
  const refuses: [string, PodDisruptionBudget, number, RegExp][] = [
    ['none allowed', mkPdb('b', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), 429, /The disruption budget b needs 2 healthy pods and has 2 currently/],
    ['status behind spec', mkPdb('b', { disruptionsAllowed: 3 }, undefined, 2), 429, /The disruption budget b is still being processed by the server/],
    ['negative', mkPdb('b', { disruptionsAllowed: -1 }), 403, /pdb disruptions allowed is negative/],
  ];
  for (const [what, pdb, code, cause] of refuses) {
    assert.throws(() => checkAndDecrement(pdb, 'p', now, false), (e: { code: number; status: Status }) => {
      assert.equal(e.code, code, what);
      assert.match(JSON.stringify(e.status), cause, what);
      if (code === 429) {
        assert.equal(e.status.message, EVICTION_VIOLATES_BUDGET);
        assert.equal(e.status.details?.causes?.[0]?.reason, 'DisruptionBudget');
        // NewTooManyRequests(msg, n): details.retryAfterSeconds is an omitempty int32, absent for 0.
        assert.equal(e.status.details?.retryAfterSeconds, what === 'none allowed' ? undefined : 10, what);
      }
      return true;
    });
  }
});

async function env() {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  const pods = set.get('', 'v1', 'pods')!;
  const pdbs = set.get('policy', 'v1', 'poddisruptionbudgets')!;
  const evict = (name: string, over: Record<string, unknown> = {}, c = ctx()) =>
    set.action('pods', 'eviction')!.create(c, 'app', name, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...over }) as Promise<Status>;
  /** A running, ready pod bound to n1. */
  const runningPod = async (name: string, labels = { app: 'web' }) => {
    await pods.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] } });
    await pods.patch(ctx(), 'app', name, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } }, 'status');
  };
  /** A budget whose status says `allowed` disruptions (as the controller would write it). */
  const budget = async (name: string, allowed: number, selector = { matchLabels: { app: 'web' } }) => {
    const b = await pdbs.create(ctx(), 'app', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 2, selector } });
    await pdbs.update(ctx(), 'app', name, { ...b, status: { observedGeneration: 1, disruptionsAllowed: allowed, currentHealthy: 2 + allowed, desiredHealthy: 2, expectedPods: 2 + allowed } }, 'status');
  };
  return { store, pods, pdbs, evict, runningPod, budget, close: () => store.close() };
}

test('pods/eviction: a budget with one disruption lets one pod go, records it, then answers 429', async () => {
  const e = await env();
  try {
    for (const n of ['a', 'b', 'c']) await e.runningPod(n);
    await e.budget('web', 1);
    const ok = await e.evict('a', { deleteOptions: { gracePeriodSeconds: 0 } });
    assert.equal(ok.status, 'Success');
    await rejectsStatus(e.pods.get(ctx(), 'app', 'a'), 404, 'NotFound');
    const pdb = (await e.pdbs.get(ctx(), 'app', 'web')) as PodDisruptionBudget;
    assert.equal(pdb.status!.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(pdb.status!.disruptedPods ?? {}), ['a']);
    await rejectsStatus(e.evict('b'), 429, 'TooManyRequests', (err) => {
      assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
      assert.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }]);
    });
    assert.equal((await e.pods.get(ctx(), 'app', 'b')).metadata.deletionTimestamp, undefined, 'a refused eviction leaves the pod alone');
  } finally {
    await e.close();
  }
});

test('pods/eviction: DisruptionTarget before the delete; no budget deletes with the given options; dry run writes nothing', async () => {
  const e = await env();
  try {
    await e.runningPod('lone', { app: 'solo' });
    await e.budget('web', 1);
    await e.evict('lone');
    const marked = (await e.pods.get(ctx(), 'app', 'lone')) as Pod;
    assert.ok(marked.metadata.deletionTimestamp, 'graceful delete of a bound pod: marked');
    assert.deepEqual(marked.status?.conditions?.filter((c) => c.type === 'DisruptionTarget').map((c) => [c.status, c.reason, c.message]), [['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']]);

    await e.runningPod('w1');
    await e.evict('w1', { deleteOptions: { dryRun: ['All'] } });
    const w1 = (await e.pods.get(ctx(), 'app', 'w1')) as Pod;
    assert.equal(w1.metadata.deletionTimestamp, undefined);
    assert.equal(w1.status?.conditions?.some((c) => c.type === 'DisruptionTarget'), false);
    assert.equal(((await e.pdbs.get(ctx(), 'app', 'web')) as PodDisruptionBudget).status!.disruptionsAllowed, 1, 'a dry run spends nothing');
  } finally {
    await e.close();
  }
});

test('pods/eviction: two budgets answer 500; terminal and pending pods ignore budgets', async () => {
  const e = await env();
  try {
    await e.runningPod('w');
    await e.budget('one', 1);
    await e.budget('two', 1, { matchLabels: { app: 'web' } });
    const res = await e.evict('w');
    assert.equal(res.code, 500);
    assert.equal(res.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    assert.equal((await e.pods.get(ctx(), 'app', 'w')).metadata.deletionTimestamp, undefined);

    await e.pdbs.delete(ctx(), 'app', 'two', {});
    const one = await e.pdbs.get(ctx(), 'app', 'one');
    await e.pdbs.update(ctx(), 'app', 'one', { ...one, status: { ...one.status, disruptionsAllowed: 0 } }, 'status');
    await e.pods.patch(ctx(), 'app', 'w', { type: 'merge', body: { status: { phase: 'Succeeded' } } }, 'status');
    assert.equal((await e.evict('w')).status, 'Success');
    await rejectsStatus(e.pods.get(ctx(), 'app', 'w'), 404, 'NotFound', () => undefined);
    await e.pods.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    assert.equal((await e.evict('pending')).status, 'Success', 'a pending pod is not protected');
    await rejectsStatus(e.evict('missing'), 404, 'NotFound');
    await rejectsStatus(e.evict('w1', { metadata: { name: 'other' } }), 400, 'BadRequest');
  } finally {
    await e.close();
  }
});
