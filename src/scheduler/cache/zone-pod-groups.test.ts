import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './cache.js';
import { CycleState } from '../framework/cycle-state.js';
import { newPodInfo } from '../framework/pod-info.js';
import { Snapshot } from '../framework/snapshot.js';
import { LABEL_ZONE } from '../framework/types.js';
import { newPodTopologySpread } from '../plugins/pod-topology-spread/pod-topology-spread.js';
import { makeNode, makePod } from '../testing/wrappers.js';

/** Pods per namespace/zone/app label: from the cache's groups, and by scanning the snapshot's nodes. */
function grouped(s: Snapshot, namespaces: string[]): string[] {
  const out: string[] = [];
  for (const ns of namespaces) for (const g of s.zonePodGroups(ns)!) for (const [z, n] of g.zones) out.push(`${ns}/${z}/${g.labels.app}:${n}`);
  return out.sort();
}
/** Pods per namespace/node/app label: from the groups' per-node counts, and by scanning. */
function byNode(s: Snapshot, namespaces: string[]): string[] {
  const out: string[] = [];
  for (const ns of namespaces) for (const g of s.zonePodGroups(ns)!) for (const [n, k] of g.nodes) out.push(`${ns}/${n}/${g.labels.app}:${k}`);
  return out.sort();
}
function scannedByNode(s: Snapshot): string[] {
  const m = new Map<string, number>();
  for (const node of s.nodes) {
    for (const p of node.pods) {
      if (p.pod.metadata.deletionTimestamp) continue;
      const k = `${p.pod.metadata.namespace}/${node.name}/${p.pod.metadata.labels?.app}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return [...m].map(([k, n]) => `${k}:${n}`).sort();
}
function scanned(s: Snapshot): string[] {
  const m = new Map<string, number>();
  for (const node of s.nodes) {
    for (const p of node.pods) {
      if (p.pod.metadata.deletionTimestamp) continue;
      const k = `${p.pod.metadata.namespace}/${node.node.metadata.labels?.[LABEL_ZONE] ?? ''}/${p.pod.metadata.labels?.app}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return [...m].map(([k, n]) => `${k}:${n}`).sort();
}

test('the cache groups pods by namespace, labels, zone and node as a scan of its snapshot counts them', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n); // Park-Miller: every residue comes up
  const zoneNode = (i: number) => {
    const z = rand(4);
    return z === 3 ? makeNode().name(`n${i}`).obj() : makeNode().name(`n${i}`).label(LABEL_ZONE, `z${z}`).obj();
  };
  const c = new SchedulerCache();
  for (let i = 0; i < 8; i++) c.setNode(zoneNode(i));
  const namespaces = ['default', 'other'];
  for (let step = 0; step < 400; step++) {
    const op = rand(10);
    const name = `p${rand(40)}`;
    const ns = namespaces[rand(2)]!;
    if (op < 5) {
      const pod = makePod().name(name).namespace(ns).label('app', `a${rand(3)}`).obj();
      if (rand(8) === 0) pod.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
      c[rand(2) ? 'assume' : 'addOrUpdateBound'](newPodInfo(pod), `n${rand(10)}`); // n8, n9: not (yet) listed
    } else if (op < 7) c.remove(`${ns}/${name}`);
    else if (op < 9) c.setNode(zoneNode(rand(10)));
    else c.removeNode(`n${rand(10)}`);
    const s = c.snapshot();
    assert.deepEqual(grouped(s, namespaces), scanned(s), `step ${step}`);
    assert.deepEqual(byNode(s, namespaces), scannedByNode(s), `step ${step}, per node`);
  }
  const before = c.snapshot();
  c.setNode(zoneNode(0));
  assert.equal(before.zonePodGroups('default'), undefined, 'a snapshot the cache moved past has no groups');
});

test('PodTopologySpread scores the same from the cache\'s groups as from a scan of the nodes', () => {
  const c = new SchedulerCache();
  const zones = ['a', 'a', 'b', 'c', undefined];
  zones.forEach((z, i) => c.setNode(z ? makeNode().name(`n${i}`).label(LABEL_ZONE, z).obj() : makeNode().name(`n${i}`).obj()));
  const counts = [3, 1, 0, 2, 4];
  counts.forEach((k, i) => {
    for (let j = 0; j < k; j++) c.addOrUpdateBound(makePod().name(`w${i}-${j}`).label('app', 'web').info(), `n${i}`);
    c.addOrUpdateBound(makePod().name(`x${i}`).label('app', 'other').info(), `n${i}`);
  });
  const plugin = newPodTopologySpread({}, { spreadListers: () => ({
    services: () => [{ spec: { selector: { app: 'web' } } }], replicationController: () => undefined, replicaSet: () => undefined, statefulSet: () => undefined,
  }) });
  const pod = newPodInfo(makePod().name('new').label('app', 'web').obj());
  const score = (s: Snapshot) => {
    const feasible = s.nodes.slice(0, 4);
    const cs = new CycleState();
    plugin.preScore(cs, pod, feasible, s);
    const out = feasible.map((n) => plugin.score(cs, pod, n));
    plugin.normalizeScore!(cs, pod, out);
    return out;
  };
  const cached = c.snapshot();
  assert.ok(cached.zonePodGroups('default'));
  const fromGroups = score(cached);
  assert.deepEqual(fromGroups, score(new Snapshot(cached.nodes)));
  assert.ok(new Set(fromGroups).size > 1, `the zones make a difference: ${fromGroups.join(',')}`);
});
