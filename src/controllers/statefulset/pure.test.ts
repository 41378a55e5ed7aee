/**
 * The StatefulSet controller's decisions, table-tested against upstream's behaviour
 * (pkg/controller/statefulset/stateful_set_control_test.go and stateful_set_utils_test.go).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { newStatefulSetPod, parentAndOrdinal } from './identity.js';
import { planSync, type Action, type SyncInput } from './plan.js';
import { applyRevision, newRevision, planUpdateRevision } from './revisions.js';
import { computeStatus } from './status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const LONG_AGO = '2026-01-01T00:00:00Z';

function set(spec: Partial<NonNullable<StatefulSet['spec']>> = {}, status: StatefulSet['status'] = { replicas: 0 }): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 2 },
    spec: {
      replicas: 3, serviceName: 'nginx', podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      ...spec,
    },
    status,
  };
}

type PodState = 'ready' | 'running' | 'pending' | 'failed' | 'terminating';
function pod(s: StatefulSet, ordinal: number, state: PodState = 'ready', revision = 'web-a'): Pod {
  const p = newStatefulSetPod(s, ordinal, revision);
  p.metadata.uid = `uid-${ordinal}`;
  const ready = state === 'ready' || state === 'terminating';
  p.status = {
    phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: LONG_AGO }],
  };
  if (state === 'terminating') p.metadata.deletionTimestamp = LONG_AGO;
  return p;
}

function input(s: StatefulSet, pods: Pod[], claims: PersistentVolumeClaim[] = [], update = 'web-a', current = 'web-a'): SyncInput {
  return { set: s, currentSet: s, updateSet: s, currentRevision: current, updateRevision: update, pods, claims: new Map(claims.map((c) => [c.metadata.name!, c])), now: NOW };
}

/** Actions as short strings: `create web-1@rev [claims]`, `delete web-2 (why)`, `owners claim -> kinds`. */
function summary(actions: Action[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'createPod': return `create ${a.pod.metadata.name}@${a.pod.metadata.labels?.['controller-revision-hash']}${a.claims.length ? ` [${a.claims.map((c) => c.metadata.name).join(',')}]` : ''}`;
      case 'createClaims': return `claims ${a.claims.map((c) => c.metadata.name).join(',')}`;
      case 'deletePod': return `delete ${a.pod.metadata.name} (${a.why})`;
      case 'labelPod': return `label ${a.pod.metadata.name}`;
      case 'setClaimOwners': return `owners ${a.claim.metadata.name} -> ${a.owners.map((o) => o.kind).join(',') || 'none'}`;
    }
  });
}

const actionsOf = (i: SyncInput) => summary(planSync(i).phases.flat());
const claim = (name: string, extra: Partial<PersistentVolumeClaim['metadata']> = {}): PersistentVolumeClaim =>
  ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `c-${name}`, ...extra }, spec: {} });

describe('pod identity and storage', () => {
  it('names, hostname, subdomain, labels, and a claim volume per template', () => {
    const s = set({ template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } } });
    const p = newStatefulSetPod(s, 2, 'web-abc');
    assert.equal(p.metadata.name, 'web-2');
    assert.equal(p.metadata.generateName, undefined);
    assert.deepEqual(p.metadata.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'web-abc' });
    assert.equal(p.spec?.hostname, 'web-2');
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.deepEqual(p.spec?.volumes, [{ name: 'tmp', emptyDir: {} }, { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }]);
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  });

  it('parses ordinals from names as getParentNameAndOrdinal', () => {
    const named = (name: string) => ({ metadata: { name } });
    assert.deepEqual(parentAndOrdinal(named('my-web-12')), { parent: 'my-web', ordinal: 12 });
    assert.equal(parentAndOrdinal(named('web')).ordinal, -1);
    assert.equal(parentAndOrdinal(named('web-x')).ordinal, -1);
  });
});

describe('OrderedReady and Parallel pod management', () => {
  const cases: { name: string; s?: Partial<NonNullable<StatefulSet['spec']>>; pods: (s: StatefulSet) => Pod[]; claims?: PersistentVolumeClaim[]; want: string[] }[] = [
    { name: 'creates web-0 first, its claim before it', pods: () => [], want: ['create web-0@web-a [www-web-0]'] },
    { name: 'waits while web-0 is not ready', pods: (s) => [pod(s, 0, 'running')], want: [] },
    { name: 'web-1 once web-0 is ready; an existing claim is not made again', pods: (s) => [pod(s, 0)], claims: [claim('www-web-0'), claim('www-web-1')], want: ['create web-1@web-a'] },
    { name: 'Parallel creates every missing pod at once', s: { podManagementPolicy: 'Parallel' }, pods: (s) => [pod(s, 1, 'pending')], want: ['create web-0@web-a [www-web-0]', 'claims www-web-1', 'create web-2@web-a [www-web-2]'] },
    { name: 'a claim being deleted holds its pod back', pods: () => [], claims: [claim('www-web-0', { deletionTimestamp: LONG_AGO })], want: [] },
    { name: 'scale-down removes the highest ordinal first, one at a time', s: { replicas: 1 }, pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2)], want: ['delete web-2 (condemned)'] },
    { name: 'and waits for it to go', s: { replicas: 1 }, pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2, 'terminating')], want: [] },
    { name: 'Parallel scale-down deletes every condemned pod', s: { replicas: 1, podManagementPolicy: 'Parallel' }, pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2)], want: ['delete web-2 (condemned)', 'delete web-1 (condemned)'] },
    { name: 'a failed pod is deleted to be recreated', pods: (s) => [pod(s, 0, 'failed')], want: ['delete web-0 (failed)'] },
    { name: 'ordinals.start numbers from there', s: { replicas: 2, ordinals: { start: 5 } }, pods: (s) => [pod(s, 5)], want: ['create web-6@web-a [www-web-6]'] },
    { name: 'a pod missing its identity labels gets them', s: { replicas: 1 }, pods: (s) => { const p = pod(s, 0); delete p.metadata.labels!['apps.kubernetes.io/pod-index']; return [p]; }, claims: [claim('www-web-0')], want: ['label web-0'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = set(c.s);
      assert.deepEqual(actionsOf(input(s, c.pods(s), c.claims)), c.want);
    });
  }

  it('asks to look again when a ready pod passes minReadySeconds', () => {
    const s = set({ minReadySeconds: 30 });
    const p = pod(s, 0);
    p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - 10_000).toISOString() }];
    const plan = planSync(input(s, [p], [claim('www-web-0')]));
    assert.deepEqual(plan.phases.flat(), []);
    assert.equal(plan.requeueAfter, 20_001);
  });
});

describe('rolling update', () => {
  const all = (s: StatefulSet, rev: (i: number) => string, state: (i: number) => PodState = () => 'ready') => [0, 1, 2].map((i) => pod(s, i, state(i), rev(i)));
  const claims = [claim('www-web-0'), claim('www-web-1'), claim('www-web-2')];
  const cases: { name: string; s?: Partial<NonNullable<StatefulSet['spec']>>; pods: (s: StatefulSet) => Pod[]; want: string[] }[] = [
    { name: 'replaces the highest ordinal first', pods: (s) => all(s, () => 'web-a'), want: ['delete web-2 (update)'] },
    { name: 'recreates it at the update revision', pods: (s) => all(s, () => 'web-a').slice(0, 2), want: ['create web-2@web-b'] },
    { name: 'waits for it to be ready', pods: (s) => all(s, (i) => (i === 2 ? 'web-b' : 'web-a'), (i) => (i === 2 ? 'running' : 'ready')), want: [] },
    { name: 'then the next one down', pods: (s) => all(s, (i) => (i === 2 ? 'web-b' : 'web-a')), want: ['delete web-1 (update)'] },
    { name: 'partition holds back lower ordinals', s: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } } }, pods: (s) => all(s, (i) => (i === 2 ? 'web-b' : 'web-a')), want: [] },
    { name: 'below the partition a lost pod comes back at the current revision', s: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } } }, pods: (s) => all(s, (i) => (i === 2 ? 'web-b' : 'web-a')).slice(1), want: ['create web-0@web-a'] },
    { name: 'maxUnavailable 2 replaces two at once', s: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }, pods: (s) => all(s, () => 'web-a'), want: ['delete web-2 (update)', 'delete web-1 (update)'] },
    { name: 'maxUnavailable counts pods already unavailable', s: { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }, pods: (s) => all(s, () => 'web-a', (i) => (i === 0 ? 'running' : 'ready')), want: ['delete web-2 (update)'] },
    { name: 'OnDelete replaces nothing', s: { updateStrategy: { type: 'OnDelete' } }, pods: (s) => all(s, () => 'web-a'), want: [] },
    { name: 'OnDelete: a deleted pod comes back at the update revision', s: { updateStrategy: { type: 'OnDelete' } }, pods: (s) => all(s, () => 'web-a').slice(0, 2), want: ['create web-2@web-b'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = set(c.s);
      assert.deepEqual(actionsOf(input(s, c.pods(s), claims, 'web-b', 'web-a')), c.want);
    });
  }
});

describe('persistentVolumeClaimRetentionPolicy', () => {
  it('whenDeleted Delete: claims are made owned by the set', () => {
    const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const [a] = planSync(input(s, [])).phases.flat();
    assert.equal(a?.type, 'createPod');
    assert.deepEqual(a.type === 'createPod' && a.claims[0]!.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  });

  it('controller references as upstream 1.31+ (kubernetes#122499): plain ones are upgraded, another controller or a stale reference leaves the claim alone', () => {
    const s = set({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const plain = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' };
    const other = { apiVersion: 'example.com/v1', kind: 'Backup', name: 'b', uid: 'b-uid', controller: true };
    const cases: { name: string; refs: object[]; want: string[] }[] = [
      { name: 'a plain set reference becomes a controller one', refs: [plain], want: ['owners www-web-0 -> StatefulSet'] },
      { name: 'another controller: the set\'s reference comes off', refs: [other, plain], want: ['owners www-web-0 -> Backup'] },
      { name: 'another controller and no set reference: nothing to do', refs: [other], want: [] },
      { name: 'a reference to an earlier set of the same name: untouched', refs: [{ ...plain, uid: 'old-uid', controller: true }], want: [] },
    ];
    for (const c of cases) {
      assert.deepEqual(actionsOf(input(s, [pod(s, 0)], [claim('www-web-0', { ownerReferences: c.refs as never })])), c.want, c.name);
    }
  });

  it('whenScaled Delete: a condemned pod\'s claim is handed to the pod before the pod goes', () => {
    const s = set({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true };
    const got = actionsOf(input(s, [pod(s, 0), pod(s, 1)], [claim('www-web-0', { ownerReferences: [setRef] }), claim('www-web-1', { ownerReferences: [setRef] })]));
    assert.deepEqual(got, ['owners www-web-1 -> Pod', 'delete web-1 (condemned)']);
  });

  it('Retain/Retain takes the set\'s reference off claims', () => {
    const s = set({ replicas: 1 });
    const got = actionsOf(input(s, [pod(s, 0)], [claim('www-web-0', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' }] })]));
    assert.deepEqual(got, ['owners www-web-0 -> none']);
  });
});

describe('revisions and status', () => {
  it('reuses, renumbers (rollback) or creates the update revision', () => {
    const a = set();
    const b = set({ template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c', image: 'img:b' }] } } });
    const ra = newRevision(a, 1, 0);
    const rb = newRevision(b, 2, 0);
    assert.equal(planUpdateRevision(b, [ra, rb]).kind, 'reuse');
    const back = planUpdateRevision(a, [ra, rb]);
    assert.deepEqual(back.kind === 'renumber' && [back.revision.metadata.name, back.to], [ra.metadata.name, 3]);
    const c = planUpdateRevision(set({ template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c', image: 'img:c' }] } } }), [ra, rb]);
    assert.deepEqual(c.kind === 'create' && c.revision.revision, 3);
    assert.deepEqual(applyRevision(b, ra).spec?.template, a.spec?.template);
    assert.deepEqual((ra.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
  });

  it('counts replicas, ready, available, current and updated; completes the rollout when all are updated and ready', () => {
    const s = set({ minReadySeconds: 0 });
    const mid = computeStatus({ set: s, pods: [pod(s, 0, 'ready', 'web-a'), pod(s, 1, 'running', 'web-b'), pod(s, 2, 'terminating', 'web-b')], currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 0, now: NOW });
    assert.deepEqual([mid.replicas, mid.readyReplicas, mid.availableReplicas, mid.currentReplicas, mid.updatedReplicas, mid.currentRevision], [3, 2, 2, 1, 1, 'web-a']);
    const done = computeStatus({ set: s, pods: [0, 1, 2].map((i) => pod(s, i, 'ready', 'web-b')), currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 0, now: NOW });
    assert.deepEqual([done.currentReplicas, done.updatedReplicas, done.currentRevision, done.observedGeneration], [3, 3, 'web-b', 2]);
  });

  it('completes against spec.replicas (kubernetes#120731): a missing pod below the partition keeps the current revision', () => {
    const s = set({ replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    // Only web-2 (updated) is there, web-0 and web-1 were deleted: not complete, so they come back at web-a.
    const pods = [pod(s, 2, 'ready', 'web-b')];
    const st = computeStatus({ set: s, pods, currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 0, now: NOW });
    assert.deepEqual([st.replicas, st.updatedReplicas, st.currentRevision], [1, 1, 'web-a']);
    // Scaling up: fewer pods than spec.replicas, all updated and ready, is not complete either.
    const up = computeStatus({ set: s, pods: [0, 1].map((i) => pod(s, i, 'ready', 'web-b')), currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 0, now: NOW });
    assert.equal(up.currentRevision, 'web-a');
  });

  it('a pod deleted for the update this sync no longer counts at its revision (upstream status.CurrentReplicas--)', () => {
    const s = set({});
    const pods = [0, 1, 2].map((i) => pod(s, i, 'ready', 'web-a'));
    const st = computeStatus({ set: s, pods, currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 0, now: NOW, deletedForUpdate: new Set([pods[2]!.metadata.uid!]) });
    assert.deepEqual([st.replicas, st.readyReplicas, st.currentReplicas, st.updatedReplicas], [3, 3, 2, 0]);
  });
});
