/** Table-driven tests of the deployment controller's arithmetic: fenceposts, hashing, annotations, new-RS sizing, proportions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './fenceposts.js';
import { computeHash, equalIgnoreHash, safeEncodeString } from './template-hash.js';
import { maxRevision, setNewReplicaSetAnnotations } from './annotations.js';
import { newRSNewReplicas } from './replica-sets.js';
import { proportion } from './scale.js';
import type { Deployment } from './types.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

const dep = (replicas: number, surge?: number | string, unavailable?: number | string, type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate'): Deployment => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1 },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
    strategy: { type, ...(type === 'RollingUpdate' ? { rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } : {}) },
  },
});
const rs = (name: string, replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, namespace: 'ns', annotations },
  spec: { replicas, selector: { matchLabels: { app: 'web' } } },
});

test('scaledValue: percentages of the total, surge rounding up and unavailable down', () => {
  const table: [number | string, number, boolean, number][] = [
    [3, 10, true, 3], ['25%', 10, true, 3], ['25%', 10, false, 2], ['25%', 4, true, 1], ['25%', 4, false, 1],
    ['25%', 1, true, 1], ['25%', 1, false, 0], ['0%', 10, true, 0], ['100%', 7, false, 7], ['33%', 3, true, 1], ['33%', 3, false, 0],
  ];
  for (const [v, total, up, want] of table) assert.equal(scaledValue(v, total, up), want, `${v} of ${total} ${up ? 'up' : 'down'}`);
  assert.throws(() => scaledValue('25', 10, true), /not a percentage/);
});

test('resolveFenceposts / maxSurge / maxUnavailable: defaults, 0/0 -> unavailable 1, caps, Recreate', () => {
  assert.deepEqual(resolveFenceposts(undefined, undefined, 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts(0, 0, 10), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts('0%', '10%', 5), { surge: 0, unavailable: 1 }, '10% of 5 floors to 0');
  assert.equal(maxUnavailable(dep(2, 0, 5)), 2, 'capped at spec.replicas');
  assert.equal(maxUnavailable(dep(0, 1, 1)), 0);
  assert.equal(maxSurge(dep(3, undefined, undefined, 'Recreate')), 0);
  assert.equal(maxUnavailable(dep(3, undefined, undefined, 'Recreate')), 0);
  assert.equal(maxSurge(dep(3)), 1);
});

test('computeHash: stable, safe alphabet, ignores the hash label and empty values, changes with collisionCount', () => {
  const t = dep(1).spec.template!;
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(h, computeHash(structuredClone(t)));
  assert.equal(computeHash({ ...t, metadata: { labels: { app: 'web', 'pod-template-hash': 'xyz' } } }), h);
  assert.equal(computeHash({ metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'c', image: 'nginx:1', env: [] }], hostNetwork: false } }), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), h);
  assert.equal(safeEncodeString('0123'), '4567', "'0' (48) maps to alphabet[48 % 27] as upstream");
  assert.equal(equalIgnoreHash(t, { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: t.spec }), true);
  assert.equal(equalIgnoreHash(t, { metadata: { labels: { app: 'web2' } }, spec: t.spec }), false);
});

test('newRSNewReplicas: grow within replicas + maxSurge, never past replicas; Recreate takes all', () => {
  const table: { d: Deployment; old: number; cur: number; want: number }[] = [
    { d: dep(3, 1, 0), old: 0, cur: 0, want: 3 },
    { d: dep(3, 1, 0), old: 3, cur: 0, want: 1 },
    { d: dep(3, 1, 0), old: 3, cur: 1, want: 1 },
    { d: dep(3, 1, 0), old: 2, cur: 1, want: 2 },
    { d: dep(10, '30%', 0), old: 10, cur: 0, want: 3 },
    { d: dep(10, 0, 2), old: 10, cur: 0, want: 0 },
    { d: dep(10, 0, 2), old: 8, cur: 0, want: 2 },
    { d: dep(5, undefined, undefined, 'Recreate'), old: 5, cur: 0, want: 5 },
  ];
  for (const [i, c] of table.entries()) {
    const newRS = rs('new', c.cur);
    assert.equal(newRSNewReplicas(c.d, [rs('old', c.old), newRS], newRS), c.want, `case ${i}`);
  }
});

test('setNewReplicaSetAnnotations: revision bump, revision-history on reuse, annotations copied but not apply/revision ones', () => {
  const d = dep(3);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '9' };
  const fresh = rs('new', 0);
  assert.equal(setNewReplicaSetAnnotations(d, fresh, 1n, false), true);
  assert.deepEqual(fresh.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  const reused = rs('old', 0, { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/revision-history': '1' });
  assert.equal(setNewReplicaSetAnnotations(d, reused, 5n, true), true);
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '5');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,2');
  assert.equal(setNewReplicaSetAnnotations(d, reused, 5n, true), false, 'idempotent');
  assert.equal(setNewReplicaSetAnnotations(d, reused, 3n, true), false, 'never lowers a revision');
});

test('revisions are int64 as upstream: the next after an adopted 3546343826724305832 is exact', () => {
  const adopted = rs('adopted', 1, { 'deployment.kubernetes.io/revision': '3546343826724305832' });
  const next = maxRevision([adopted, rs('other', 0, { 'deployment.kubernetes.io/revision': '7' })]) + 1n;
  const fresh = rs('new', 0);
  setNewReplicaSetAnnotations(dep(1), fresh, next, false);
  assert.equal(fresh.metadata.annotations!['deployment.kubernetes.io/revision'], '3546343826724305833');
});

test('proportion: shares of a resize follow max-replicas annotations, bounded by what is left', () => {
  // deployment resized 10 -> 15 (surge 3 -> max 18 from 13): an RS of 8 gets round(8*18/13)-8 = 3
  const d = dep(15, 3, 0);
  assert.equal(proportion(rs('a', 8, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 5, 0), 3);
  assert.equal(proportion(rs('b', 5, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 5, 3), 2, 'bounded by the 2 left');
  assert.equal(proportion(rs('c', 0), d, 5, 0), 0);
  const down = dep(5, 1, 0);
  assert.equal(proportion(rs('a', 8, { 'deployment.kubernetes.io/max-replicas': '11' }), down, -5, 0), -4, 'round(8*6/11)-8 = -4, within the -5 allowed');
});
