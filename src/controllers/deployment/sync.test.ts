/**
 * The deployment sync planner driven against a simulated cluster: each step applies the planned
 * writes, then ReplicaSets "run" (status follows spec; new pods become available one step later).
 * Checks rollout invariants at every step and the end state kubectl reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDeploymentSync, type SyncPlan } from './sync.js';
import { deploymentComplete } from './conditions.js';
import type { Deployment } from './types.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

interface World {
  d: Deployment;
  rss: ReplicaSet[];
  now: number;
  /** uid -> available pods (for the simulated availability lag). */
  events: string[];
  uid: number;
  /** When false, new pods never become available (a broken image). */
  healthy: boolean;
  /** Pods per step that become available per ReplicaSet. */
  readyPerStep: number;
}

function deployment(replicas: number, image: string, strategy: Deployment['spec']['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1, creationTimestamp: new Date(T0).toISOString() },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } }, strategy, progressDeadlineSeconds: 600, revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

function world(d: Deployment): World {
  return { d, rss: [], now: T0, events: [], uid: 0, healthy: true, readyPerStep: 1000 };
}

function apply(w: World, plan: SyncPlan): void {
  for (const a of plan.actions) {
    if (a.kind === 'event') w.events.push(a.message);
    else if (a.kind === 'createReplicaSet') {
      w.rss.push({ ...structuredClone(a.rs), metadata: { ...a.rs.metadata, uid: `rs-${++w.uid}`, creationTimestamp: new Date(w.now).toISOString(), generation: 1 }, status: { replicas: 0, observedGeneration: 1 } });
    } else if (a.kind === 'updateReplicaSet') {
      const i = w.rss.findIndex((r) => r.metadata.name === a.rs.metadata.name);
      assert.ok(i >= 0, `update of unknown ${a.rs.metadata.name}`);
      w.rss[i] = { ...structuredClone(a.rs), status: w.rss[i]!.status };
    } else if (a.kind === 'deleteReplicaSet') {
      w.rss = w.rss.filter((r) => r.metadata.name !== a.rs.metadata.name);
    }
  }
  w.d = { ...w.d, metadata: plan.deployment.metadata, status: plan.deployment.status };
}

/** Pods follow spec at once; availability lags one step (and never comes when unhealthy). */
function runPods(w: World): void {
  for (const rs of w.rss) {
    const spec = rs.spec.replicas ?? 1;
    const st = rs.status ?? { replicas: 0 };
    const isNew = rs.spec.template?.spec?.containers && JSON.stringify(rs.spec.template.spec) === JSON.stringify(w.d.spec.template?.spec);
    const wasAvailable = Math.min(st.availableReplicas ?? 0, spec);
    const canBecome = !isNew || w.healthy ? Math.min(spec, wasAvailable + w.readyPerStep) : wasAvailable;
    rs.status = { replicas: spec, readyReplicas: canBecome, availableReplicas: canBecome, observedGeneration: rs.metadata.generation };
  }
}

function step(w: World): SyncPlan {
  const plan = planDeploymentSync({ deployment: w.d, replicaSets: w.rss, now: w.now });
  apply(w, plan);
  runPods(w);
  w.now += 1000;
  return plan;
}

function runUntilComplete(w: World, check: (w: World) => void = () => {}, max = 60): number {
  for (let i = 0; i < max; i++) {
    step(w);
    check(w);
    if (deploymentComplete(w.d, w.d.status ?? {}) && w.rss.filter((r) => (r.spec.replicas ?? 0) > 0).length === 1) {
      step(w); // one more for the final conditions
      return i;
    }
  }
  assert.fail(`rollout did not complete; rss=${JSON.stringify(w.rss.map((r) => [r.metadata.name, r.spec.replicas, r.status]))}`);
}

const sumSpec = (w: World) => w.rss.reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
const sumAvail = (w: World) => w.rss.reduce((n, r) => n + (r.status?.availableReplicas ?? 0), 0);
const cond = (w: World, type: string) => w.d.status?.conditions?.find((c) => c.type === type);

function newTemplate(w: World, image: string): void {
  w.d = structuredClone(w.d);
  w.d.spec.template!.spec = { containers: [{ name: 'c', image }] };
  w.d.metadata.generation = (w.d.metadata.generation ?? 1) + 1;
}

test('first rollout: one ReplicaSet <name>-<hash> with the hash label, revision 1, Progressing/Available conditions', () => {
  const w = world(deployment(3, 'nginx:1'));
  const plan = step(w);
  const created = plan.actions.find((a) => a.kind === 'createReplicaSet');
  assert.ok(created && created.kind === 'createReplicaSet', 'a ReplicaSet is created');
  const hash = created.rs.metadata.labels!['pod-template-hash']!;
  assert.equal(created.rs.metadata.name, `web-${hash}`);
  assert.equal(created.rs.spec.selector!.matchLabels!['pod-template-hash'], hash);
  assert.equal(created.rs.spec.template!.metadata!.labels!['pod-template-hash'], hash);
  assert.equal(created.rs.spec.replicas, 3);
  assert.deepEqual(created.rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(created.rs.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(created.rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(created.rs.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
  assert.deepEqual(w.events, [`Scaled up replica set web-${hash} from 0 to 3`]);
  assert.equal(w.d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(cond(w, 'Progressing')?.reason, 'NewReplicaSetCreated');
  runUntilComplete(w);
  assert.equal(cond(w, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(cond(w, 'Progressing')?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
  assert.equal(cond(w, 'Available')?.status, 'True');
  assert.deepEqual([w.d.status?.replicas, w.d.status?.updatedReplicas, w.d.status?.availableReplicas, w.d.status?.observedGeneration], [3, 3, 3, 1]);
  const again = planDeploymentSync({ deployment: w.d, replicaSets: w.rss, now: w.now });
  assert.deepEqual(again.actions, [], 'a settled deployment plans no writes');
});

const strategies: { name: string; replicas: number; surge: number | string; unavailable: number | string }[] = [
  { name: 'surge 1 / unavailable 0', replicas: 3, surge: 1, unavailable: 0 },
  { name: 'surge 0 / unavailable 1', replicas: 3, surge: 0, unavailable: 1 },
  { name: 'surge 25% / unavailable 25% of 10', replicas: 10, surge: '25%', unavailable: '25%' },
  { name: 'surge 3 / unavailable 2 of 10', replicas: 10, surge: 3, unavailable: 2 },
  { name: 'surge 50% / unavailable 0 of 5', replicas: 5, surge: '50%', unavailable: 0 },
];
for (const s of strategies) {
  test(`rolling update (${s.name}): total <= replicas + surge and available >= replicas - unavailable at every step`, () => {
    const w = world(deployment(s.replicas, 'nginx:1', { type: 'RollingUpdate', rollingUpdate: { maxSurge: s.surge, maxUnavailable: s.unavailable } }));
    runUntilComplete(w);
    const surge = typeof s.surge === 'number' ? s.surge : Math.ceil((parseInt(s.surge) * s.replicas) / 100);
    const unavailable = typeof s.unavailable === 'number' ? s.unavailable : Math.floor((parseInt(s.unavailable) * s.replicas) / 100);
    for (const [round, image] of ['nginx:2', 'nginx:3'].entries()) {
      newTemplate(w, image);
      w.readyPerStep = 1;
      runUntilComplete(w, (x) => {
        assert.ok(sumSpec(x) <= s.replicas + surge, `total ${sumSpec(x)} > ${s.replicas}+${surge}`);
        assert.ok(sumAvail(x) >= s.replicas - unavailable, `available ${sumAvail(x)} < ${s.replicas}-${unavailable}`);
      }, 200);
      const active = w.rss.filter((r) => (r.spec.replicas ?? 0) > 0);
      assert.equal(active.length, 1);
      assert.equal(active[0]!.spec.template!.spec!.containers && (active[0]!.spec.template!.spec!.containers as { image: string }[])[0]!.image, image);
      assert.equal(active[0]!.metadata.annotations!['deployment.kubernetes.io/revision'], String(round + 2));
      assert.equal(w.d.metadata.annotations!['deployment.kubernetes.io/revision'], String(round + 2));
      assert.ok(w.events.some((e) => /^Scaled down replica set web-\w+ from \d+ to \d+$/.test(e)), 'a scale-down event was recorded');
    }
  });
}

test('rollback: a template equal to an old ReplicaSet reuses it with revision max+1 and revision-history', () => {
  const w = world(deployment(2, 'nginx:1'));
  runUntilComplete(w);
  const first = w.rss[0]!.metadata.name;
  newTemplate(w, 'nginx:2');
  runUntilComplete(w);
  assert.equal(w.rss.length, 2);
  newTemplate(w, 'nginx:1'); // what `kubectl rollout undo` does: copy the old template back
  const plan = step(w);
  assert.equal(plan.actions.filter((a) => a.kind === 'createReplicaSet').length, 0, 'no new ReplicaSet');
  const reused = w.rss.find((r) => r.metadata.name === first)!;
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  runUntilComplete(w);
  assert.equal(w.d.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(w.rss.find((r) => r.metadata.name === first)!.spec.replicas, 2);
});

test('paused: no new ReplicaSet, Progressing Unknown/DeploymentPaused; resume continues the rollout', () => {
  const w = world(deployment(2, 'nginx:1'));
  runUntilComplete(w);
  w.d.spec.paused = true;
  newTemplate(w, 'nginx:2');
  for (let i = 0; i < 3; i++) step(w);
  assert.equal(w.rss.length, 1);
  assert.equal(cond(w, 'Progressing')?.reason, 'DeploymentPaused');
  assert.equal(cond(w, 'Progressing')?.status, 'Unknown');
  // scaling still works while paused
  w.d.spec.replicas = 4;
  step(w);
  assert.equal(w.rss[0]!.spec.replicas, 4);
  w.d.spec.paused = false;
  step(w);
  assert.equal(w.rss.length, 2);
  assert.ok(['DeploymentResumed', 'NewReplicaSetCreated', 'ReplicaSetUpdated'].includes(cond(w, 'Progressing')!.reason!));
  runUntilComplete(w);
  assert.equal(cond(w, 'Progressing')?.reason, 'NewReplicaSetAvailable');
});

test('progress deadline: no progress for progressDeadlineSeconds gives ProgressDeadlineExceeded, and a re-check is requested', () => {
  const w = world(deployment(2, 'nginx:1'));
  w.d.spec.progressDeadlineSeconds = 30;
  runUntilComplete(w);
  w.healthy = false;
  newTemplate(w, 'broken:1');
  let plan = step(w);
  for (let i = 0; i < 5; i++) plan = step(w);
  assert.equal(cond(w, 'Progressing')?.status, 'True');
  assert.ok(plan.requeueAfter !== undefined && plan.requeueAfter > 0 && plan.requeueAfter <= 31_000, `requeueAfter ${plan.requeueAfter}`);
  w.now += 30_000;
  step(w);
  assert.equal(cond(w, 'Progressing')?.status, 'False');
  assert.equal(cond(w, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  assert.match(cond(w, 'Progressing')!.message!, /has timed out progressing/);
  assert.ok(sumAvail(w) >= 1, 'old pods kept serving');
});

test('Recreate: old ReplicaSets go to 0 and their pods must be gone before the new one is created', () => {
  const w = world(deployment(3, 'nginx:1', { type: 'Recreate' }));
  runUntilComplete(w);
  const old = w.rss[0]!;
  newTemplate(w, 'nginx:2');
  // pods still running: status.replicas not yet 0 and a pod listed
  let plan = planDeploymentSync({ deployment: w.d, replicaSets: w.rss, now: w.now, podsByReplicaSet: new Map([[old.metadata.uid!, [{ metadata: { name: 'p' }, status: { phase: 'Running' } }]]]) });
  assert.deepEqual(plan.actions.filter((a) => a.kind !== 'event').map((a) => [a.kind, a.rs.spec.replicas]), [['updateReplicaSet', 0]]);
  apply(w, plan);
  w.rss[0]!.status = { replicas: 0, availableReplicas: 0 }; // the old pods are terminating
  plan = planDeploymentSync({ deployment: w.d, replicaSets: w.rss, now: w.now, podsByReplicaSet: new Map([[old.metadata.uid!, [{ metadata: { name: 'p' }, status: { phase: 'Running' } }]]]) });
  assert.equal(plan.actions.filter((a) => a.kind === 'createReplicaSet').length, 0, 'a running old pod blocks the new ReplicaSet');
  plan = planDeploymentSync({ deployment: w.d, replicaSets: w.rss, now: w.now, podsByReplicaSet: new Map([[old.metadata.uid!, [{ metadata: { name: 'p' }, status: { phase: 'Succeeded' } }]]]) });
  const created = plan.actions.find((a) => a.kind === 'createReplicaSet');
  assert.ok(created && created.kind === 'createReplicaSet', `no ReplicaSet created: ${JSON.stringify(plan.actions)}`);
  assert.equal(created.rs.spec.replicas, 3);
});

test('proportional scaling mid-rollout: a resize is shared by the active ReplicaSets', () => {
  const w = world(deployment(10, 'nginx:1', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } }));
  runUntilComplete(w);
  w.healthy = false;
  newTemplate(w, 'broken:1');
  for (let i = 0; i < 4; i++) step(w);
  const before = w.rss.map((r) => r.spec.replicas ?? 0);
  assert.equal(before.reduce((a, b) => a + b, 0), 13, `stuck at replicas + surge: ${before}`);
  w.d.spec.replicas = 20;
  step(w);
  const after = w.rss.map((r) => r.spec.replicas ?? 0);
  assert.equal(after.reduce((a, b) => a + b, 0), 23, 'new total is 20 + 3');
  for (const [i, n] of after.entries()) assert.ok(n > before[i]!, `every active ReplicaSet grew: ${before} -> ${after}`);
});

test('revisionHistoryLimit: the oldest scaled-down ReplicaSets beyond the limit are deleted', () => {
  const w = world(deployment(1, 'nginx:0'));
  w.d.spec.revisionHistoryLimit = 2;
  runUntilComplete(w);
  for (let v = 1; v <= 4; v++) {
    newTemplate(w, `nginx:${v}`);
    runUntilComplete(w);
  }
  step(w);
  const revisions = w.rss.map((r) => Number(r.metadata.annotations!['deployment.kubernetes.io/revision'])).sort();
  assert.deepEqual(revisions, [3, 4, 5]);
});

test('selecting everything: a warning, observedGeneration only, no ReplicaSets', () => {
  const d = deployment(1, 'nginx:1');
  d.spec.selector = {};
  const plan = planDeploymentSync({ deployment: d, replicaSets: [], now: T0 });
  assert.deepEqual(plan.actions, [{ kind: 'event', type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' }]);
  assert.equal(plan.deployment.status?.observedGeneration, 1);
});
