/**
 * The one contract suite every Store backend runs (memory, sqlite, later etcd): each test states a
 * point of the etcd-like semantics in types.ts. Usage, from a backend's *.test.ts:
 *   describeStoreContract('sqlite', async () => ({ store, cleanup }));
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError, type Store, type StoreErrorCode, type WatchHandle } from './types.js';
import { Collector, settle } from './testing/watch-collector.js';

export interface StoreFixture {
  store: Store;
  /** Remove whatever the factory made (temp dirs); the suite closes the store itself. */
  cleanup?: () => Promise<void> | void;
}

async function rejectsCode(p: Promise<unknown> | (() => unknown), code: StoreErrorCode): Promise<StoreError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StoreError, `expected StoreError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

export function describeStoreContract(name: string, factory: () => Promise<StoreFixture> | StoreFixture): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let s: Store;
    const handles: WatchHandle[] = [];
    const watch = (prefix: string, after: number): Collector => {
      const c = new Collector();
      handles.push(s.watch(prefix, after, c));
      return c;
    };

    beforeEach(async () => {
      fx = await factory();
      s = fx.store;
    });
    afterEach(async () => {
      for (const h of handles.splice(0)) h.cancel();
      await s.close();
      await fx.cleanup?.();
    });

    it('create returns the new KeyValue and get reads it back', async () => {
      const kv = await s.create('/r/pods/a', 'v1');
      assert.equal(kv.key, '/r/pods/a');
      assert.equal(kv.value, 'v1');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(kv.modRevision, s.currentRevision());
      assert.deepEqual(await s.get('/r/pods/a'), kv);
      assert.equal(await s.get('/r/pods/missing'), undefined);
    });

    it('create of an existing key fails AlreadyExists and writes nothing', async () => {
      const kv = await s.create('/r/pods/a', 'v1');
      const err = await rejectsCode(s.create('/r/pods/a', 'v2'), 'AlreadyExists');
      assert.equal(err.revision, kv.modRevision);
      assert.equal(s.currentRevision(), kv.modRevision);
      assert.equal((await s.get('/r/pods/a'))?.value, 'v1');
    });

    it('every write advances the revision by exactly one', async () => {
      const r0 = s.currentRevision();
      const a = await s.create('/r/x/a', '1');
      const b = await s.create('/r/x/b', '1');
      const a2 = await s.update('/r/x/a', '2', a.modRevision);
      const d = await s.delete('/r/x/b');
      assert.deepEqual([a.modRevision, b.modRevision, a2.modRevision, d.modRevision], [r0 + 1, r0 + 2, r0 + 3, r0 + 4]);
      assert.equal(s.currentRevision(), r0 + 4);
    });

    it('concurrent writes get distinct consecutive revisions', async () => {
      const r0 = s.currentRevision();
      const kvs = await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(`/r/c/${i}`, String(i))));
      const revs = kvs.map((kv) => kv.modRevision).sort((x, y) => x - y);
      assert.deepEqual(revs, Array.from({ length: 50 }, (_, i) => r0 + 1 + i));
    });

    it('update checks the expected revision and keeps createRevision', async () => {
      const kv = await s.create('/r/pods/a', 'v1');
      const up = await s.update('/r/pods/a', 'v2', kv.modRevision);
      assert.equal(up.createRevision, kv.createRevision);
      assert.equal(up.modRevision, kv.modRevision + 1);
      const err = await rejectsCode(s.update('/r/pods/a', 'v3', kv.modRevision), 'Conflict');
      assert.equal(err.revision, up.modRevision);
      await rejectsCode(s.update('/r/pods/none', 'v', 1), 'NotFound');
      assert.equal((await s.get('/r/pods/a'))?.value, 'v2');
    });

    it('delete returns the value at the delete revision, checks expected revision, NotFound after', async () => {
      const kv = await s.create('/r/pods/a', 'v1');
      await rejectsCode(s.delete('/r/pods/a', kv.modRevision + 7), 'Conflict');
      const del = await s.delete('/r/pods/a', kv.modRevision);
      assert.deepEqual(del, { key: '/r/pods/a', value: 'v1', createRevision: kv.createRevision, modRevision: kv.modRevision + 1 });
      assert.equal(await s.get('/r/pods/a'), undefined);
      await rejectsCode(s.delete('/r/pods/a'), 'NotFound');
      // Recreating starts a new life: createRevision is the new write's.
      const again = await s.create('/r/pods/a', 'v2');
      assert.equal(again.createRevision, again.modRevision);
    });

    it('list returns keys under the prefix in key order, count agrees', async () => {
      for (const k of ['/r/pods/ns1/b', '/r/pods/ns1/a', '/r/pods/ns2/a', '/r/pods-other/x', '/r/svc/ns1/a']) await s.create(k, k);
      const all = await s.list('/r/pods/');
      assert.deepEqual(all.items.map((i) => i.key), ['/r/pods/ns1/a', '/r/pods/ns1/b', '/r/pods/ns2/a']);
      assert.equal(all.revision, s.currentRevision());
      assert.equal(all.continueKey, undefined);
      assert.deepEqual((await s.list('/r/pods/ns1/')).items.map((i) => i.value), ['/r/pods/ns1/a', '/r/pods/ns1/b']);
      assert.equal(await s.count('/r/pods/'), 3);
      assert.equal(await s.count('/r/'), 5);
      assert.equal(await s.count('/nothing/'), 0);
    });

    it('list at a past revision sees the state as of then', async () => {
      const a = await s.create('/r/p/a', 'a1');
      await s.create('/r/p/b', 'b1');
      const r = s.currentRevision();
      await s.update('/r/p/a', 'a2', a.modRevision);
      await s.delete('/r/p/b');
      await s.create('/r/p/c', 'c1');
      const past = await s.list('/r/p/', { revision: r });
      assert.equal(past.revision, r);
      assert.deepEqual(past.items.map((i) => [i.key, i.value, i.modRevision]), [['/r/p/a', 'a1', a.modRevision], ['/r/p/b', 'b1', r]]);
      const before = await s.list('/r/p/', { revision: a.modRevision });
      assert.deepEqual(before.items.map((i) => i.key), ['/r/p/a']);
      const now = await s.list('/r/p/');
      assert.deepEqual(now.items.map((i) => [i.key, i.value]), [['/r/p/a', 'a2'], ['/r/p/c', 'c1']]);
    });

    it('pagination with continue reads one consistent snapshot despite writes in between', async () => {
      for (let i = 0; i < 10; i++) await s.create(`/r/pg/k${i}`, `v${i}`);
      const p1 = await s.list('/r/pg/', { limit: 4 });
      assert.deepEqual(p1.items.map((i) => i.key), ['/r/pg/k0', '/r/pg/k1', '/r/pg/k2', '/r/pg/k3']);
      assert.equal(p1.continueKey, '/r/pg/k3');
      assert.equal(p1.remaining, 6);
      // Writes between pages: an insert before the cursor, one after, a delete and an update after.
      await s.create('/r/pg/k00', 'new');
      await s.create('/r/pg/k99', 'new');
      await s.delete('/r/pg/k5');
      const k6 = (await s.get('/r/pg/k6'))!;
      await s.update('/r/pg/k6', 'changed', k6.modRevision);
      const p2 = await s.list('/r/pg/', { limit: 4, revision: p1.revision, afterKey: p1.continueKey });
      assert.equal(p2.revision, p1.revision);
      assert.deepEqual(p2.items.map((i) => i.key), ['/r/pg/k4', '/r/pg/k5', '/r/pg/k6', '/r/pg/k7']);
      assert.equal(p2.items[2].value, 'v6');
      assert.equal(p2.remaining, 2);
      const p3 = await s.list('/r/pg/', { limit: 4, revision: p1.revision, afterKey: p2.continueKey });
      assert.deepEqual(p3.items.map((i) => i.key), ['/r/pg/k8', '/r/pg/k9']);
      assert.equal(p3.continueKey, undefined);
    });

    it('a page that ends exactly at the last key has no continueKey', async () => {
      for (let i = 0; i < 4; i++) await s.create(`/r/e/k${i}`, 'v');
      const p = await s.list('/r/e/', { limit: 4 });
      assert.equal(p.items.length, 4);
      assert.equal(p.continueKey, undefined);
    });

    it('watch delivers every event after the revision in order: history then live, no gaps, no duplicates', async () => {
      const a = await s.create('/r/w/a', 'a1');
      const from = s.currentRevision();
      await s.update('/r/w/a', 'a2', a.modRevision);
      await s.create('/r/w/b', 'b1');
      const c = watch('/r/w/', from);
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) writes.push(s.create(`/r/w/n${i}`, String(i)));
      await Promise.all(writes);
      await s.delete('/r/w/b');
      const total = s.currentRevision() - from;
      await c.next(total);
      await settle();
      assert.equal(c.events.length, total);
      assert.deepEqual(c.events.map((e) => e.revision), Array.from({ length: total }, (_, i) => from + 1 + i));
      for (const e of c.events) assert.equal(e.revision, e.kv.modRevision);
      assert.equal(c.events[0].type, 'PUT');
      assert.equal(c.events[0].kv.value, 'a2');
      assert.deepEqual(c.events[0].prevKv, a);
      assert.equal(c.events[1].prevKv, undefined);
      const last = c.events[c.events.length - 1];
      assert.equal(last.type, 'DELETE');
      assert.equal(last.kv.key, '/r/w/b');
      assert.equal(last.kv.value, 'b1');
      assert.equal(last.prevKv?.value, 'b1');
      assert.equal(last.prevKv?.modRevision, from + 2);
    });

    it('a long replay racing live writes switches to live with no gap or duplicate', async () => {
      const from = s.currentRevision();
      for (let batch = 0; batch < 25; batch++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => s.create(`/r/long/${batch}-${i}`, 'v')));
      }
      const c = watch('/r/long/', from);
      const live: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        live.push(s.create(`/r/long/live-${i}`, 'v'));
        if (i % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(live);
      const total = s.currentRevision() - from;
      assert.equal(total, 2800);
      await c.next(total);
      await settle();
      assert.equal(c.events.length, total);
      c.events.forEach((e, i) => assert.equal(e.revision, from + 1 + i));
    });

    it('watch filters by prefix', async () => {
      const c = watch('/r/pods/ns1/', s.currentRevision());
      const all = watch('', s.currentRevision());
      await s.create('/r/pods/ns1/a', '1');
      await s.create('/r/pods/ns10/a', '1');
      await s.create('/r/pods/ns2/a', '1');
      await s.create('/r/pods/ns1/b', '1');
      await c.next(2);
      await all.next(4);
      await settle();
      assert.deepEqual(c.events.map((e) => e.kv.key), ['/r/pods/ns1/a', '/r/pods/ns1/b']);
      assert.equal(all.events.length, 4);
    });

    it('watch replay from an old revision carries prevKv and DELETE events', async () => {
      const from = s.currentRevision();
      const a = await s.create('/r/h/a', '1');
      const a2 = await s.update('/r/h/a', '2', a.modRevision);
      await s.delete('/r/h/a');
      await s.create('/r/other/x', 'x');
      const c = watch('/r/h/', from);
      await c.next(3);
      await settle();
      assert.deepEqual(c.events.map((e) => e.type), ['PUT', 'PUT', 'DELETE']);
      assert.deepEqual(c.events[1].prevKv, a);
      assert.deepEqual(c.events[2].prevKv, a2);
      assert.deepEqual(c.events[2].kv, { ...a2, modRevision: a2.modRevision + 1 });
    });

    it('many watchers on one prefix each get every event', async () => {
      const cs = Array.from({ length: 200 }, () => watch('/r/many/', s.currentRevision()));
      await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(`/r/many/${i}`, 'v')));
      for (const c of cs) await c.next(10);
      for (const c of cs) assert.equal(c.events.length, 10);
    });

    it('cancel stops delivery and is idempotent', async () => {
      const c = new Collector();
      const h = s.watch('/r/cx/', s.currentRevision(), c);
      await s.create('/r/cx/a', '1');
      await c.next(1);
      h.cancel();
      h.cancel();
      await s.create('/r/cx/b', '1');
      await settle();
      assert.equal(c.events.length, 1);
    });

    it('compaction: list and watch below the compacted revision fail TooOld, at or above still work', async () => {
      const a = await s.create('/r/k/a', '1');
      const b = await s.create('/r/k/b', '1');
      await s.update('/r/k/a', '2', a.modRevision);
      const mid = s.currentRevision();
      await s.delete('/r/k/b', b.modRevision);
      await s.create('/r/k/c', '1');
      await s.compact(mid);
      assert.equal(s.compactedRevision(), mid);
      const err = await rejectsCode(s.list('/r/k/', { revision: mid - 1 }), 'TooOld');
      assert.equal(err.revision, mid);
      await rejectsCode(() => s.watch('/r/k/', mid - 1, new Collector()), 'TooOld');
      // The state at the compacted revision itself is kept (etcd semantics).
      const at = await s.list('/r/k/', { revision: mid });
      assert.deepEqual(at.items.map((i) => [i.key, i.value]), [['/r/k/a', '2'], ['/r/k/b', '1']]);
      const c = watch('/r/k/', mid);
      await c.next(2);
      assert.deepEqual(c.events.map((e) => [e.type, e.kv.key]), [['DELETE', '/r/k/b'], ['PUT', '/r/k/c']]);
      assert.equal(c.events[0].prevKv?.value, '1');
      assert.deepEqual((await s.list('/r/k/')).items.map((i) => i.key), ['/r/k/a', '/r/k/c']);
      // Compacting backwards is a no-op.
      await s.compact(1);
      assert.equal(s.compactedRevision(), mid);
    });

    it('close fails further calls with Closed and ends watches with onError', async () => {
      const c = watch('/r/z/', s.currentRevision());
      await s.create('/r/z/a', '1');
      await c.next(1);
      await s.close();
      await c.until(() => c.error !== undefined, 'onError');
      assert.equal(c.error?.code, 'Closed');
      await rejectsCode(s.create('/r/z/b', '1'), 'Closed');
      await rejectsCode(s.get('/r/z/a'), 'Closed');
      await rejectsCode(() => s.watch('/r/z/', 0, new Collector()), 'Closed');
      await s.close(); // idempotent
    });
  });
}
