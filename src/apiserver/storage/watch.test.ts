import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { Status } from '../../api/status.js';
import { ctx, cm, newEnv, Recorder, storage } from './testing/fixtures.js';
import { tapStoreWatches } from './testing/test-store.js';
import type { StoreEvent } from '../../store/types.js';
import { decodeObject, objectJson } from './codec.js';
import type { GenericStorage } from './generic-storage.js';

test('watch: "" and "0" start with ADDED for the current state, then live events', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    await s.create(ctx(), 'default', cm('other'));
    for (const rv of ['', '0', undefined]) {
      const r = new Recorder();
      const w = await s.watch(ctx(), 'ns1', { resourceVersion: rv }, r);
      assert.deepEqual(r.summary(), ['ADDED a']);
      w.stop();
      assert.equal(r.closed, true);
    }
    const r = new Recorder();
    const w = await s.watch(ctx(), 'ns1', {}, r);
    await s.create(ctx(), 'ns1', cm('b'));
    await s.patch(ctx(), 'ns1', 'b', { type: 'merge', body: { data: { x: '1' } } });
    await s.create(ctx(), 'default', cm('elsewhere'));
    await s.delete(ctx(), 'ns1', 'a', {});
    await r.until(() => r.events.length >= 4);
    assert.deepEqual(r.summary(), ['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    const mod = r.events[2].object as KubeObject;
    assert.equal(mod.kind, 'ConfigMap');
    assert.equal(mod.metadata.resourceVersion, String(env.store.currentRevision() - 2));
    w.stop();
  } finally {
    await env.close();
  }
});

test('watch: from resourceVersion N delivers every event after N, in order', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a'));
    await s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { data: { v: '1' } } });
    await s.delete(ctx(), 'ns1', 'a', {});
    const r = new Recorder();
    const w = await s.watch(ctx(), undefined, { resourceVersion: a.metadata.resourceVersion }, r);
    await r.until(() => r.events.length >= 2);
    assert.deepEqual(r.summary(), ['MODIFIED a', 'DELETED a']);
    const del = r.events[1].object as KubeObject;
    assert.equal(del.metadata.resourceVersion, String(env.store.currentRevision()), 'DELETED carries the delete revision');
    w.stop();
  } finally {
    await env.close();
  }
});

test('watch: a compacted resourceVersion gives one ERROR event with 410 Expired, then close', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    await s.create(ctx(), 'ns1', cm('b'));
    await env.store.compact(env.store.currentRevision());
    const r = new Recorder();
    await s.watch(ctx(), 'ns1', { resourceVersion: '2' }, r);
    await r.until(() => r.closed);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].type, 'ERROR');
    const st = r.events[0].object as Status;
    assert.equal(st.code, 410);
    assert.equal(st.reason, 'Expired');
    assert.equal(st.message, `too old resource version: 2 (${env.store.compactedRevision()})`);
  } finally {
    await env.close();
  }
});

test('watch: sendInitialEvents from a revision not reached in time is an ERROR event (504 ResourceVersionTooLarge), then close', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const r = new Recorder();
    // The request's deadline ends the wait for the revision early (else 3 s, as the cacher's).
    const q = { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' as const, resourceVersion: String(env.store.currentRevision() + 100) };
    await s.watch(ctx({ signal: AbortSignal.timeout(50) }), 'ns1', q, r);
    await r.until(() => r.closed);
    assert.deepEqual(r.summary(), ['ERROR 504']);
    const st = r.events[0].object as Status;
    assert.equal(st.code, 504);
    assert.deepEqual(st.details?.causes?.map((c) => c.reason), ['ResourceVersionTooLarge']);
  } finally {
    await env.close();
  }
});

test('watch: selectors with transitions (stops matching -> DELETED, starts matching -> ADDED)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a', {}, { app: 'web' }));
    await s.create(ctx(), 'ns1', cm('b', {}, { app: 'db' }));
    const r = new Recorder();
    const w = await s.watch(ctx(), 'ns1', { labelSelector: 'app=web' }, r);
    await s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { metadata: { labels: { app: 'db' } } } });
    await s.patch(ctx(), 'ns1', 'b', { type: 'merge', body: { metadata: { labels: { app: 'web' } } } });
    await s.patch(ctx(), 'ns1', 'b', { type: 'merge', body: { data: { x: 'y' } } });
    await s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { data: { x: 'y' } } });
    await s.delete(ctx(), 'ns1', 'b', {});
    await r.until(() => r.events.length >= 5);
    assert.deepEqual(r.summary(), ['ADDED a', 'DELETED a', 'ADDED b', 'MODIFIED b', 'DELETED b']);
    const gone = r.events[1].object as KubeObject;
    assert.deepEqual(gone.metadata.labels, { app: 'web' }, 'the last state that matched');
    w.stop();
    const f = new Recorder();
    const w2 = await s.watch(ctx(), undefined, { fieldSelector: 'metadata.name=a' }, f);
    await s.create(ctx(), 'default', cm('a'));
    await s.create(ctx(), 'default', cm('z'));
    await f.until(() => f.events.length >= 2);
    assert.deepEqual(f.summary(), ['ADDED a', 'ADDED a']);
    w2.stop();
  } finally {
    await env.close();
  }
});

test('watch: bookmarks when allowed, the initial-events-end bookmark, and timeoutSeconds', async () => {
  const env = await newEnv({ bookmarkIntervalMs: 50 });
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    const r = new Recorder();
    const w = await s.watch(ctx(), 'ns1', { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', resourceVersion: '' }, r);
    assert.deepEqual(r.summary().slice(0, 2), ['ADDED a', 'BOOKMARK']);
    const initEnd = r.events[1].object as KubeObject;
    assert.equal(initEnd.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    await s.create(ctx(), 'ns1', cm('b'));
    await r.until(() => r.events.filter((e) => e.type === 'BOOKMARK').length >= 3);
    const last = r.events.filter((e) => e.type === 'BOOKMARK').at(-1)!.object as KubeObject;
    assert.equal(last.kind, 'ConfigMap');
    assert.equal(last.metadata.resourceVersion, String(env.store.currentRevision()));
    assert.deepEqual(Object.keys(last.metadata), ['resourceVersion']);
    w.stop();
    const none = new Recorder();
    const w2 = await s.watch(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision()) }, none);
    await new Promise((res) => setTimeout(res, 150));
    assert.equal(none.events.length, 0, 'no bookmarks unless allowed');
    w2.stop();
    const t = new Recorder();
    await s.watch(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision()), timeoutSeconds: 1 }, t);
    await t.until(() => t.closed, 3000);
  } finally {
    await env.close();
  }
});

test('watch: bookmarks advance with writes to other resources, so a quiet watch resumes after compaction', async () => {
  const env = await newEnv({ bookmarkIntervalMs: 30 });
  try {
    const s = storage(env, 'configmaps');
    const r = new Recorder();
    const w = await s.watch(ctx(), 'ns1', { allowWatchBookmarks: true, resourceVersion: String(env.store.currentRevision()) }, r);
    for (const n of ['x1', 'x2', 'x3']) await storage(env, 'namespaces').create(ctx(), undefined, { metadata: { name: n } });
    const now = String(env.store.currentRevision());
    await r.until(() => r.events.some((e) => e.type === 'BOOKMARK' && (e.object as KubeObject).metadata.resourceVersion === now));
    w.stop();
    await env.store.compact(env.store.currentRevision());
    const again = new Recorder();
    const w2 = await s.watch(ctx(), 'ns1', { resourceVersion: now }, again);
    await s.create(ctx(), 'ns1', cm('d'));
    await again.until(() => again.events.length > 0);
    assert.deepEqual(again.summary(), ['ADDED d']);
    w2.stop();
  } finally {
    await env.close();
  }
});

test('watch: the request signal ends the stream', async () => {
  const env = await newEnv();
  try {
    const ac = new AbortController();
    const r = new Recorder();
    await storage(env, 'configmaps').watch(ctx({ signal: ac.signal }), 'ns1', {}, r);
    ac.abort();
    assert.equal(r.closed, true);
  } finally {
    await env.close();
  }
});

test('watch: 1,000 watchers share decoding and all see every event', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const recs = Array.from({ length: 1000 }, () => new Recorder());
    const streams = await Promise.all(recs.map((r) => s.watch(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision()) }, r)));
    for (let i = 0; i < 5; i++) await s.create(ctx(), 'ns1', cm(`c${i}`));
    // A liveness bound, not a speed check: on etcd each store watch is an etcd watch of its own (made
    // one after another by the etcd3 client, each event sent 1,000 times), about 1 s on a quiet
    // machine and over 3 s beside CI's other test files.
    await Promise.all(recs.map((r) => r.until(() => r.events.length >= 5, 30_000)));
    for (const r of recs) assert.deepEqual(r.summary(), ['ADDED c0', 'ADDED c1', 'ADDED c2', 'ADDED c3', 'ADDED c4']);
    assert.equal(recs[0].events[0].object, recs[999].events[0].object, 'one decoded object per event');
    for (const w of streams) w.stop();
  } finally {
    await env.close();
  }
});

test('watch: a replaced version\'s shared decoding is dropped once its successor was delivered; the current one stays shared', async () => {
  // Watchers share one decoding per KeyValue the store hands out (StorageCore.decodeShared). The
  // memory store keeps past versions as KeyValues until compaction and hands the same objects out
  // again (as prevKv, in replays): a decoding kept per past version (not only per object, as
  // upstream's watch cache) kept every one of them alive. SQLite and etcd build fresh KeyValues for
  // each event they deliver, so a replay there decodes anew whatever the storage keeps; the checks
  // go through the KeyValues the store handed each watch, which makes them hold on every backend.
  const env = await newEnv({ detectMutations: false }); // readOnly() then answers the shared decoding itself
  try {
    const s = storage(env, 'configmaps') as GenericStorage;
    const taps = tapStoreWatches(env.store, s.core.prefix);
    const first = new Recorder();
    const w1 = await s.watch(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision()) }, first);
    const created = await s.create(ctx(), 'ns1', cm('a'));
    await s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { data: { v: '1' } } });
    await first.until(() => first.events.length >= 2);
    await new Promise((r) => setImmediate(r)); // decodings of replaced versions go a macrotask after delivery
    const [, modified] = taps[0];
    assert.equal(s.core.readOnly(modified.kv), first.events[1].object, 'the current version stays shared');
    const replaced = s.core.readOnly(modified.prevKv!);
    assert.deepEqual(replaced, first.events[0].object);
    assert.notEqual(replaced, first.events[0].object, 'the replaced version\'s shared decoding was dropped');

    const later = new Recorder();
    const w2 = await s.watch(ctx(), 'ns1', { resourceVersion: String(Number(created.metadata.resourceVersion) - 1) }, later);
    await later.until(() => later.events.length >= 2);
    assert.deepEqual(later.summary(), ['ADDED a', 'MODIFIED a']);
    assert.deepEqual(later.events, first.events, 'a replay delivers the versions the live watch had');
    assert.notEqual(later.events[0].object, first.events[0].object, 'the replaced version is decoded anew');
    // Shared when the store replayed the very KeyValue the live watch had (memory), not otherwise.
    const sameKv = taps[1][1].kv === modified.kv;
    assert.equal(later.events[1].object === first.events[1].object, sameKv, `the current version is decoded once per KeyValue (same KeyValue: ${sameKv})`);
    w1.stop();
    w2.stop();
  } finally {
    await env.close();
  }
});

test('watch: a write\'s event is the stored version decoded, its JSON the stored text\'s, equal to what the write answered', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'deployments') as GenericStorage;
    const r = new Recorder();
    const start = env.store.currentRevision();
    const w = await s.watch(ctx(), 'ns1', { resourceVersion: String(start) }, r);
    const stored: StoreEvent[] = [];
    const raw = env.store.watch(s.core.prefix, start, { onEvents: (evs) => stored.push(...evs) });
    const results = [
      await s.create(ctx(), 'ns1', { metadata: { name: 'd' }, spec: { replicas: 1 } }),
      await s.update(ctx(), 'ns1', 'd', { metadata: { name: 'd' }, spec: { replicas: 2 } }),
      (await s.patch(ctx(), 'ns1', 'd', { type: 'merge', body: { status: { replicas: 2 } } }, 'status')).object,
    ];
    await s.delete(ctx(), 'ns1', 'd', {});
    await r.until(() => r.events.length >= 4 && stored.length >= 4);
    assert.deepEqual(r.summary(), ['ADDED d', 'MODIFIED d', 'MODIFIED d', 'DELETED d']);
    for (const [i, obj] of results.entries()) {
      assert.deepEqual(r.events[i].object, obj, `event ${i} equals the write's answer`);
      const decoded = decodeObject(s.def, stored[i].kv.value, stored[i].revision);
      assert.deepEqual(r.events[i].object, decoded, `event ${i} equals the stored version decoded`);
      assert.equal(objectJson(r.events[i].object), JSON.stringify(decoded), `event ${i}'s JSON is the stored version's`);
    }
    raw.cancel();
    w.stop();
  } finally {
    await env.close();
  }
});
