/**
 * Upstream's Watchers conformance tests (test/e2e/apimachinery/watch.go), ported against a real
 * Bosun API server: add/update/delete notifications by label selector, starting at and restarting
 * from a resourceVersion, an object leaving and re-entering a selector, and concurrent watches
 * agreeing on the order of events.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from '../api/kinds/index.js';
import type { ResourceClient } from '../client/resource-client.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { WatchReader } from './testing/watch-reader.js';

const NS = 'cf-watch';
let env: ClientEnv;
let cms: ResourceClient<ConfigMap>;

before(async () => {
  env = await startClientEnv({ namespace: NS });
  cms = env.client.configMaps(NS);
});
after(() => env.stop());

const cm = (name: string, labels: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels } });

/** upstream's setConfigMapData: data.mutation = n, by a read-modify-write. */
async function mutate(name: string, n: number): Promise<ConfigMap> {
  const cur = await cms.get(name);
  return cms.update({ ...cur, data: { ...cur.data, mutation: String(n) } });
}

async function watchOf(labelSelector: string, resourceVersion?: string): Promise<WatchReader<ConfigMap>> {
  return new WatchReader(await cms.watch({ labelSelector, resourceVersion }));
}

test('[sig-api-machinery] Watchers should observe add, update, and delete watch notifications on configmaps [Conformance]', async () => {
  const label = 'watch-this-configmap';
  const rv = (await cms.list()).metadata.resourceVersion;
  const a = await watchOf(`${label}=multiple-watchers-A`, rv);
  const b = await watchOf(`${label}=multiple-watchers-B`, rv);
  const ab = await watchOf(`${label} in (multiple-watchers-A,multiple-watchers-B)`, rv);
  try {
    await cms.create(cm('e2e-watch-test-configmap-a', { [label]: 'multiple-watchers-A' }));
    for (const w of [a, ab]) await w.expect('ADDED', 'e2e-watch-test-configmap-a');
    await mutate('e2e-watch-test-configmap-a', 1);
    for (const w of [a, ab]) assert.equal((await w.expect('MODIFIED', 'e2e-watch-test-configmap-a')).object.data?.mutation, '1');
    await mutate('e2e-watch-test-configmap-a', 2);
    for (const w of [a, ab]) assert.equal((await w.expect('MODIFIED', 'e2e-watch-test-configmap-a')).object.data?.mutation, '2');
    await cms.delete('e2e-watch-test-configmap-a');
    for (const w of [a, ab]) await w.expect('DELETED', 'e2e-watch-test-configmap-a');

    await cms.create(cm('e2e-watch-test-configmap-b', { [label]: 'multiple-watchers-B' }));
    // Watch B's first event is B's ADDED: none of A's four notifications reached it (events are ordered).
    for (const w of [b, ab]) await w.expect('ADDED', 'e2e-watch-test-configmap-b');
    await cms.delete('e2e-watch-test-configmap-b');
    for (const w of [b, ab]) await w.expect('DELETED', 'e2e-watch-test-configmap-b');
    // And watch A saw nothing of B: a marker it does match comes next.
    await cms.create(cm('e2e-watch-test-marker-a', { [label]: 'multiple-watchers-A' }));
    await a.expect('ADDED', 'e2e-watch-test-marker-a');
  } finally {
    for (const w of [a, b, ab]) w.stop();
  }
});

test('[sig-api-machinery] Watchers should be able to start watching from a specific resource version [Conformance]', async () => {
  const name = 'e2e-watch-test-resource-version';
  const label = { 'watch-this-configmap': 'from-resource-version' };
  await cms.create(cm(name, label));
  const first = await mutate(name, 1);
  await mutate(name, 2);
  await cms.delete(name);
  const w = await watchOf('watch-this-configmap=from-resource-version', first.metadata.resourceVersion);
  try {
    // Only what happened after the first update: the second update, then the delete.
    assert.equal((await w.expect('MODIFIED', name)).object.data?.mutation, '2');
    await w.expect('DELETED', name);
  } finally {
    w.stop();
  }
});

test('[sig-api-machinery] Watchers should be able to restart watching from the last resource version observed by the previous watch [Conformance]', async () => {
  const name = 'e2e-watch-test-watch-closed';
  const sel = 'watch-this-configmap=watch-closed-and-restarted';
  const rv = (await cms.list()).metadata.resourceVersion;
  const w = await watchOf(sel, rv);
  await cms.create(cm(name, { 'watch-this-configmap': 'watch-closed-and-restarted' }));
  await mutate(name, 1);
  let last: string | undefined;
  try {
    await w.expect('ADDED', name);
    last = (await w.expect('MODIFIED', name)).object.metadata.resourceVersion;
  } finally {
    w.stop();
  }
  // While no watch is open: a second update and the delete.
  await mutate(name, 2);
  await cms.delete(name);
  const restarted = await watchOf(sel, last);
  try {
    assert.equal((await restarted.expect('MODIFIED', name)).object.data?.mutation, '2');
    await restarted.expect('DELETED', name);
  } finally {
    restarted.stop();
  }
});

test('[sig-api-machinery] Watchers should observe an object deletion if it stops meeting the requirements of the selector [Conformance]', async () => {
  const name = 'e2e-watch-test-label-changed';
  const key = 'watch-this-configmap';
  const value = 'label-changed-and-restored';
  const rv = (await cms.list()).metadata.resourceVersion;
  const w = await watchOf(`${key}=${value}`, rv);
  try {
    await cms.create(cm(name, { [key]: value }));
    await w.expect('ADDED', name);
    await mutate(name, 1);
    await w.expect('MODIFIED', name);
    // The label changes away: the watch sees the object leave as a DELETED.
    const off = await cms.get(name);
    await cms.update({ ...off, metadata: { ...off.metadata, labels: { [key]: 'wrong-value' } } });
    await w.expect('DELETED', name);
    // Changed while outside the selector: not observed.
    await mutate(name, 2);
    const back = await cms.get(name);
    await cms.update({ ...back, metadata: { ...back.metadata, labels: { [key]: value } } });
    // Back inside: an ADDED carrying the change made while it was out.
    assert.equal((await w.expect('ADDED', name)).object.data?.mutation, '2');
    await mutate(name, 3);
    assert.equal((await w.expect('MODIFIED', name)).object.data?.mutation, '3');
    await cms.delete(name);
    await w.expect('DELETED', name);
  } finally {
    w.stop();
  }
});

test('[sig-api-machinery] Watchers should receive events on concurrent watches in same order [Conformance]', async () => {
  const sel = 'watch-this-configmap=concurrent';
  const start = (await cms.list()).metadata.resourceVersion;
  const main = await watchOf(sel, start);
  // Writes in the background while the watches run (upstream's produceConfigMapEvents).
  const names = Array.from({ length: 5 }, (_, i) => `e2e-watch-test-concurrent-${i}`);
  const producer = (async () => {
    for (let round = 0; round < 4; round++) {
      for (const n of names) {
        if (round === 0) await cms.create(cm(n, { 'watch-this-configmap': 'concurrent' }));
        else if (round < 3) await mutate(n, round);
        else await cms.delete(n);
      }
    }
  })();
  const total = names.length * 4;
  const seen: string[] = [];
  const followers: WatchReader<ConfigMap>[] = [];
  try {
    // A watch from each event's resourceVersion, opened as the event arrives.
    for (let i = 0; i < total; i++) {
      const ev = await main.next(`event ${i}`);
      seen.push(`${ev.type} ${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`);
      if (i % 4 === 0) followers.push(await watchOf(sel, ev.object.metadata.resourceVersion));
    }
    await producer;
    for (const [k, f] of followers.entries()) {
      const from = k * 4 + 1;
      for (let i = from; i < total; i++) {
        const ev = await f.next(`follower ${k} event ${i}`);
        assert.equal(`${ev.type} ${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`, seen[i], `follower ${k}, event ${i}`);
      }
    }
    assert.equal(new Set(seen.map((s) => s.split(' ')[2])).size, total, 'every event has its own resourceVersion');
  } finally {
    await producer.catch(() => undefined);
    main.stop();
    for (const f of followers) f.stop();
  }
});
