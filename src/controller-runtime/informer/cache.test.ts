import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { Indexer, indexers, copyOf, cacheMutationDetectorEnabled } from './indexer.js';
import { SharedInformer } from './shared-informer.js';
import { quietLogger } from '../../testing/quiet-logger.js';


const pod = (ns: string, name: string, rv: string, nodeName?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, resourceVersion: rv }, spec: nodeName ? { nodeName } : {} });

test('Indexer: namespace and custom indices follow upserts and removals', () => {
  const idx = new Indexer({ node: indexers.podsByNodeName });
  idx.upsert(pod('a', 'p1', '1', 'n1'));
  idx.upsert(pod('a', 'p2', '2', 'n2'));
  idx.upsert(pod('b', 'p1', '3', 'n1'));
  const names = (xs: readonly Readonly<KubeObject>[]) => xs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
  assert.deepEqual(names(idx.byIndex('node', 'n1')), ['a/p1', 'b/p1']);
  assert.deepEqual(names(idx.listNamespace('a')), ['a/p1', 'a/p2']);
  idx.upsert(pod('a', 'p1', '4', 'n2')); // moved
  assert.deepEqual(names(idx.byIndex('node', 'n1')), ['b/p1']);
  assert.deepEqual(names(idx.byIndex('node', 'n2')), ['a/p1', 'a/p2']);
  idx.remove('a/p2');
  assert.deepEqual(names(idx.byIndex('node', 'n2')), ['a/p1']);
  assert.deepEqual(idx.byIndex('node', 'nowhere'), []);
  assert.throws(() => idx.byIndex('nope', 'x'), /no indexer/);
  idx.addIndexers({ rv: (o) => [o.metadata.resourceVersion!] });
  assert.deepEqual(names(idx.byIndex('rv', '4')), ['a/p1'], 'late indexers index existing objects');
});

test('Indexer: select by namespace and label selector (string or parsed)', () => {
  const idx = new Indexer();
  const labelled = (ns: string, name: string, labels: Record<string, string>): KubeObject => ({ metadata: { namespace: ns, name, labels } });
  idx.upsert(labelled('a', 'web-1', { app: 'web', tier: 'fe' }));
  idx.upsert(labelled('a', 'web-2', { app: 'web' }));
  idx.upsert(labelled('a', 'db', { app: 'db' }));
  idx.upsert(labelled('b', 'web-3', { app: 'web' }));
  const names = (xs: readonly Readonly<KubeObject>[]) => xs.map((o) => o.metadata.name).sort();
  const table: [string | undefined, string, string[]][] = [
    ['a', 'app=web', ['web-1', 'web-2']],
    [undefined, 'app=web', ['web-1', 'web-2', 'web-3']],
    ['a', 'app in (web,db),!tier', ['db', 'web-2']],
    ['a', '', ['db', 'web-1', 'web-2']],
    ['c', 'app=web', []],
  ];
  for (const [ns, sel, want] of table) assert.deepEqual(names(idx.select(ns, sel)), want, `${ns} ${sel}`);
});

test('Indexer: under the mutation detector cached objects are frozen deeply; copyOf gives a writable copy', () => {
  const idx = new Indexer({}, true);
  idx.upsert(pod('a', 'p', '1', 'n1'));
  const cached = idx.get('a/p')!;
  assert.throws(() => { (cached.metadata as { name: string }).name = 'x'; }, TypeError);
  assert.throws(() => { cached.spec.nodeName = 'x'; }, TypeError);
  const mine = copyOf(cached);
  mine.spec.nodeName = 'n2';
  assert.equal(idx.get('a/p')!.spec.nodeName, 'n1');
});

test('Indexer: without the mutation detector (production, as upstream) cached objects are stored as delivered', () => {
  const idx = new Indexer({}, false);
  const p = pod('a', 'p', '1', 'n1');
  idx.upsert(p);
  assert.equal(idx.get('a/p'), p);
  assert.equal(Object.isFrozen(idx.get('a/p')), false);
});

test('cache mutation detector: on under the test runner or BOSUN_CACHE_MUTATION_DETECTOR=true, off in production (client-go KUBE_CACHE_MUTATION_DETECTOR)', () => {
  const table: [NodeJS.ProcessEnv, boolean][] = [
    [{}, false],
    [{ NODE_TEST_CONTEXT: 'child-v8' }, true],
    [{ BOSUN_CACHE_MUTATION_DETECTOR: 'true' }, true],
    [{ BOSUN_CACHE_MUTATION_DETECTOR: '1' }, true],
    [{ BOSUN_CACHE_MUTATION_DETECTOR: 'false', NODE_TEST_CONTEXT: 'child-v8' }, false],
    [{ BOSUN_CACHE_MUTATION_DETECTOR: '', NODE_TEST_CONTEXT: 'child-v8' }, true],
  ];
  for (const [env, want] of table) assert.equal(cacheMutationDetectorEnabled(env), want, JSON.stringify(env));
  // An Indexer's default follows it (under node --test, as this file runs: frozen).
  const idx = new Indexer();
  idx.upsert(pod('a', 'q', '1'));
  assert.equal(Object.isFrozen(idx.get('a/q')), cacheMutationDetectorEnabled());
});

/** The informer's sink methods are what the reflector calls; driving them directly tests event dispatch. */
function informer() {
  const client = new KubeClient({ server: 'https://127.0.0.1:1' }); // never started: no I/O
  const inf = new SharedInformer(client, resources.pods, { logger: quietLogger });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (o, n) => log.push(`update ${n.metadata.name} ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return { inf, log, client };
}

test('SharedInformer: replace diffs against the cache; watch events update it', async () => {
  const { inf, log, client } = informer();
  assert.equal(inf.hasSynced(), false);
  const synced = inf.waitForSync();
  inf.replace([pod('d', 'a', '1'), pod('d', 'b', '2')], '2');
  assert.equal(await synced, true);
  inf.apply('MODIFIED', pod('d', 'a', '3'));
  inf.apply('ADDED', pod('d', 'c', '4'));
  inf.apply('DELETED', pod('d', 'b', '5'));
  // a relist (after 410): c unchanged, a changed, b back, c... gone
  inf.replace([pod('d', 'a', '6'), pod('d', 'b', '7')], '7');
  assert.deepEqual(log, [
    'add a (initial)', 'add b (initial)',
    'update a 1->3', 'add c', 'delete b',
    'update a 3->6', 'add b', 'delete c',
  ]);
  assert.deepEqual(inf.indexer.keys().sort(), ['d/a', 'd/b']);
  // a handler added late sees the current contents as adds
  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  assert.deepEqual(late.sort(), ['a', 'b']);
  await inf.stop();
  client.close();
});

test('SharedInformer: a throwing handler does not stop the others', () => {
  const { inf, log, client } = informer();
  inf.addEventHandler({ onAdd: () => { throw new Error('bad handler'); } });
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(o.metadata.name!) });
  inf.replace([pod('d', 'a', '1')], '1');
  assert.deepEqual(seen, ['a']);
  assert.deepEqual(log, ['add a (initial)']);
  client.close();
});
