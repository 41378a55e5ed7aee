/** Informers against a real in-process API server: list+watch, cache contents, relist after 410. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { resources } from '../../client/resource-ref.js';
import { FakeClock } from '../clock/fake-clock.js';
import { SharedInformerFactory } from './informer-factory.js';
import { indexers } from './indexer.js';

let env: ClientEnv;
let client: KubeClient;
const P = `inf-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await startClientEnv();
  ({ client } = env);
});
after(() => env?.stop());

const eventually = eventuallyWith({ intervalMs: 10 });

const pod = (name: string, labels: Record<string, string>, nodeName?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
});

test('list then watch: the cache follows creates, updates and deletes; handlers see each', async () => {
  const cms = client.configMaps('default');
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-pre`, labels: { set: P } }, data: { v: '0' } });
  const factory = new SharedInformerFactory(client, { logger: quietLogger });
  const inf = factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${P}` });
  assert.equal(factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${P}` }), inf, 'shared per scope');
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => log.push(`update ${n.metadata.name} ${(n.data as Record<string, string>).v}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  factory.start();
  assert.equal(await factory.waitForCacheSync(), true);
  assert.ok(inf.hasSynced());
  assert.deepEqual(inf.indexer.keys(), [`default/${P}-pre`]);

  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-a`, labels: { set: P } }, data: { v: '1' } });
  await cms.patch(`${P}-a`, 'merge', { data: { v: '2' } });
  await cms.delete(`${P}-pre`);
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-other` }, data: {} }); // not selected
  await eventually(() => log.length >= 4, 'four events');
  assert.deepEqual(log, [`add ${P}-pre`, `add ${P}-a`, `update ${P}-a 2`, `delete ${P}-pre`]);
  assert.deepEqual(inf.indexer.keys(), [`default/${P}-a`]);
  assert.equal((inf.indexer.get(`default/${P}-a`)!.data as Record<string, string>).v, '2');
  assert.ok(Object.isFrozen(inf.indexer.get(`default/${P}-a`)));
  await factory.stop();
});

test('cached objects carry no managedFields; a PUT of one keeps the stored field owners', async () => {
  const cms = client.configMaps('default');
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-mf`, labels: { set: `${P}-mf` } }, data: { v: '0' } });
  const factory = new SharedInformerFactory(client, { logger: quietLogger });
  const inf = factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${P}-mf` });
  factory.start();
  assert.equal(await factory.waitForCacheSync(), true);
  const listed = inf.indexer.get(`default/${P}-mf`)!;
  assert.equal(listed.metadata.managedFields, undefined, 'stripped from the list');
  await cms.patch(`${P}-mf`, 'merge', { data: { v: '1' } });
  await eventually(() => (inf.indexer.get(`default/${P}-mf`)!.data as Record<string, string>).v === '1', 'the watch event');
  const watched = inf.indexer.get(`default/${P}-mf`)!;
  assert.equal(watched.metadata.managedFields, undefined, 'stripped from watch events');
  await cms.update({ ...watched, data: { v: '2' } } as never);
  const stored = await cms.get(`${P}-mf`);
  assert.ok((stored.metadata.managedFields?.length ?? 0) > 0, 'the server kept its managedFields');
  await factory.stop();
});

test('custom index: pods by node follow binding', async () => {
  const factory = new SharedInformerFactory(client, { logger: quietLogger, indexers: { node: indexers.podsByNodeName } });
  const inf = factory.informerFor(resources.pods, { labelSelector: `set=${P}` });
  factory.start();
  await factory.waitForCacheSync();
  const pods = client.pods('default');
  await pods.create(pod(`${P}-p1`, { set: P }, 'n1'));
  await pods.create(pod(`${P}-p2`, { set: P }));
  await eventually(() => inf.indexer.size === 2, 'two pods');
  assert.deepEqual(inf.indexer.byIndex('node', 'n1').map((p) => p.metadata.name), [`${P}-p1`]);
  await pods.bind(`${P}-p2`, 'n1');
  await eventually(() => inf.indexer.byIndex('node', 'n1').length === 2, 'p2 on n1');
  assert.equal(inf.indexer.byIndex('node', '').length, 0);
  await factory.stop();
});

test('relist after 410: a watch resuming from a compacted version lists again and catches up', async () => {
  const cms = client.configMaps('default');
  const set = `${P}-gone`;
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-1`, labels: { set } } });
  // Watches time out after 1-2 s, and without bookmarks the informer's version stays at its last
  // event, so once history is compacted past it the next re-watch gets 410 and must relist.
  const factory = new SharedInformerFactory(client, { logger: quietLogger, minWatchTimeoutSeconds: 1, allowWatchBookmarks: false, initialBackoffMs: 50 });
  const inf = factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${set}` });
  const deletes: string[] = [];
  inf.addEventHandler({ onDelete: (o) => deletes.push(o.metadata.name!) });
  factory.start();
  await factory.waitForCacheSync();
  assert.equal(inf.listCount, 1);
  const rvBefore = inf.lastSyncResourceVersion;
  // Unselected writes advance the store's revision past the informer's version.
  for (let i = 0; i < 3; i++) await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-noise-${i}` } });
  await env.ts.server.store.compact(env.ts.server.store.currentRevision());
  await eventually(() => inf.listCount >= 2, 'a relist', 15_000);
  assert.notEqual(inf.lastSyncResourceVersion, rvBefore);
  // and it keeps watching afterwards
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-2`, labels: { set } } });
  await cms.delete(`${set}-1`);
  await eventually(() => inf.indexer.has(`default/${set}-2`) && !inf.indexer.has(`default/${set}-1`), 'cache after relist');
  assert.deepEqual(deletes, [`${set}-1`]);
  await factory.stop();
});

test('a watch closed by the server is reopened from the last version, without a relist', async () => {
  const cms = client.configMaps('default');
  const set = `${P}-rewatch`;
  const factory = new SharedInformerFactory(client, { logger: quietLogger, minWatchTimeoutSeconds: 1 });
  const inf = factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${set}` });
  factory.start();
  await factory.waitForCacheSync();
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-1`, labels: { set } } });
  await eventually(() => inf.watchCount >= 2, 'the server to time out the first watch');
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-2`, labels: { set } } });
  await eventually(() => inf.indexer.has(`default/${set}-1`) && inf.indexer.has(`default/${set}-2`), 'both objects');
  assert.equal(inf.listCount, 1, 'no relist');
  await factory.stop();
});

test('periodic resync re-delivers cached objects as updates with unchanged content, every resyncMs on the informer\'s clock', async () => {
  const set = `${P}-resync`;
  await client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${set}-1`, labels: { set } } });
  const clock = new FakeClock();
  const factory = new SharedInformerFactory(client, { logger: quietLogger, resyncMs: 30_000, clock });
  const inf = factory.informerFor(resources.configmaps, { namespace: 'default', labelSelector: `set=${set}` });
  let resyncs = 0;
  inf.addEventHandler({ onUpdate: (o, n) => { if (o === n) resyncs++; } });
  factory.start();
  await factory.waitForCacheSync();
  clock.advance(29_999);
  assert.equal(resyncs, 0, 'not before the period');
  clock.advance(1);
  assert.equal(resyncs, 1);
  clock.advance(30_000);
  assert.equal(resyncs, 2);
  await factory.stop();
  clock.advance(10 * 30_000);
  assert.equal(resyncs, 2, 'no resync after stop');
});
