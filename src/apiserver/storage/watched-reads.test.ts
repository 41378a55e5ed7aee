/**
 * The watched copy admission reads namespaces and ServiceAccounts from: never behind this process's
 * own writes, a key it does not hold is looked up in the store, a key deleted through this server is
 * read live for a while, and it starts over after its watch ended.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../store/index.js';
import type { KeyValue, Store, WatchCallbacks } from '../../store/index.js';
import { readNamespace, watchedReads } from './watched-reads.js';
import { StorageSet } from './storage-set.js';
import { cm, configmaps, ctx, namespaces } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

const ns = (name: string, phase?: string): string => JSON.stringify({ metadata: { name }, ...(phase ? { status: { phase } } : {}) });

test('reads follow every write at once: create, update, delete', async () => {
  const store = new MemoryStore();
  assert.equal(await readNamespace(store, 'wr-a'), undefined);
  const created = await store.create('/registry/core/namespaces/wr-a', ns('wr-a'));
  assert.equal((await readNamespace(store, 'wr-a'))?.metadata?.name, 'wr-a');
  await store.update('/registry/core/namespaces/wr-a', ns('wr-a', 'Terminating'), created.modRevision);
  assert.equal((await readNamespace(store, 'wr-a'))?.status?.phase, 'Terminating');
  await store.delete('/registry/core/namespaces/wr-a');
  assert.equal(await readNamespace(store, 'wr-a'), undefined);
  await store.close();
});

test('a key the copy does not hold yet is looked up in the store; an ended watch starts over', async () => {
  const inner = new MemoryStore();
  const held: WatchCallbacks[] = [];
  let reads = 0;
  // A store whose watch events never arrive (as from a lagging etcd member) and that counts reads.
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'watch') return (_p: string, _r: number, cb: WatchCallbacks) => { held.push(cb); return { cancel: () => undefined }; };
      if (prop === 'get') return (key: string): Promise<KeyValue | undefined> => { reads++; return target.get(key); };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as Store;
  const copy = watchedReads(store, '/registry/core/serviceaccounts/');
  await inner.create('/registry/core/serviceaccounts/x/first', '{"metadata":{"name":"first"}}');
  assert.ok(await copy.get('/registry/core/serviceaccounts/x/first'), 'read before the copy was loaded');
  await new Promise((r) => setImmediate(r));
  assert.equal(held.length, 1);
  const before = reads;
  assert.ok(await copy.get('/registry/core/serviceaccounts/x/first'), 'held by the loaded copy');
  assert.equal(reads, before, 'no store read for a key the copy holds');
  await inner.create('/registry/core/serviceaccounts/x/second', '{"metadata":{"name":"second"}}');
  assert.ok(await copy.get('/registry/core/serviceaccounts/x/second'), 'a miss is looked up live');
  assert.equal(reads, before + 1);
  held[0]!.onError?.(Object.assign(new Error('gone'), { code: 'TooOld' }) as never);
  await copy.get('/registry/core/serviceaccounts/x/first');
  await new Promise((r) => setImmediate(r));
  assert.equal(held.length, 2, 'the next read after the watch ended lists and watches again');
  await inner.close();
});

test('a namespace deleted through this server is read live: a create in it is 403 while the copy still says Active', async () => {
  const inner = new MemoryStore();
  // Namespace watch events never arrive, as from an etcd, whose events trail the write's answer.
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'watch') return (p: string, r: number, cb: WatchCallbacks) => (p.includes('/namespaces/') ? { cancel: () => undefined } : target.watch(p, r, cb));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as Store;
  const set = new StorageSet(store, [namespaces, configmaps]);
  const [nsStorage, cms] = [set.get('', 'v1', 'namespaces')!, set.get('', 'v1', 'configmaps')!];
  await nsStorage.create(ctx(), undefined, { metadata: { name: 'dying' } });
  await cms.create(ctx(), 'dying', cm('a')); // loads the copy, which holds 'dying' as Active from now on
  await new Promise((r) => setImmediate(r));
  await nsStorage.delete(ctx(), undefined, 'dying', {});
  assert.ok(await inner.get('/registry/core/namespaces/dying'), 'marked Terminating, still stored');
  await rejectsStatus(cms.create(ctx(), 'dying', cm('b')), 403, 'Forbidden', (e) => {
    assert.equal(e.message, 'configmaps "b" is forbidden: unable to create new content in namespace dying because it is being terminated');
  });
  await inner.close();
});
