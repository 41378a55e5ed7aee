/**
 * The Store contract against a real etcd (Debian's etcd-server, started privately per file). Each
 * case gets a fresh store under its own key prefix; the cases run one after another, so the
 * contract's "every write advances the revision by one" holds although etcd's revision is global.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeStoreContract } from './store-contract.js';
import { EtcdStore } from './etcd.js';
import { openStore } from './index.js';
import { Collector } from './testing/watch-collector.js';
import { ETCD_BIN, etcdAvailable, startEtcd, type EtcdServer } from './testing/etcd-server.js';

if (!etcdAvailable()) {
  describe('Store contract: etcd', () => {
    it(`skipped: ${ETCD_BIN} is not installed (apt-get install etcd-server)`, { skip: true }, () => {});
  });
} else {
  let server: EtcdServer;
  before(async () => {
    // Quiet watches hear from etcd every 100 ms (its default is 10 minutes) so the progress test is quick.
    server = await startEtcd({ progressNotifyIntervalMs: 100 });
  });
  after(async () => {
    await server?.stop();
  });

  const unique = () => `/bosun-test-${randomBytes(4).toString('hex')}`;
  const open = async (prefix = unique()): Promise<EtcdStore> => {
    const store = new EtcdStore({ endpoints: [server.endpoint], prefix });
    await store.ready();
    return store;
  };

  describeStoreContract('etcd', async () => ({ store: await open() }));

  describe('etcd store specifics', () => {
    it("openStore({ backend: 'etcd' }) opens a working store; operations wait for the initial sync", async () => {
      const store = openStore({ backend: 'etcd', endpoints: [server.endpoint], prefix: unique() });
      try {
        const kv = await store.create('/r/a', 'v');
        assert.equal(kv.modRevision, store.currentRevision());
        assert.deepEqual(await store.get('/r/a'), kv);
      } finally {
        await store.close();
      }
      assert.throws(() => openStore({ backend: 'etcd', endpoints: [] }), /needs endpoints/);
    });

    it('lists bigger than gRPC\'s default 4 MiB message come back whole', async () => {
      const store = await open();
      try {
        const big = 'x'.repeat(1024 * 1024);
        for (let i = 0; i < 6; i++) await store.create(`/big/${i}`, big);
        const all = await store.list('/big/');
        assert.equal(all.items.length, 6);
        assert.equal(all.items[5].value.length, big.length);
      } finally {
        await store.close();
      }
    });

    it('prefixes keep stores on one etcd apart', async () => {
      const [a, b] = [await open(), await open()];
      try {
        await a.create('/r/x', 'a');
        await b.create('/r/x', 'b');
        assert.deepEqual((await a.list('/')).items.map((i) => i.value), ['a']);
        assert.deepEqual((await b.list('')).items.map((i) => i.value), ['b']);
        assert.equal(await a.count(''), 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a new store learns the compacted revision and current revision from etcd', async () => {
      const a = await open();
      let b: EtcdStore | undefined;
      try {
        for (let i = 0; i < 5; i++) await a.create(`/k/${i}`, 'v');
        const target = a.currentRevision() - 2;
        await a.compact(target);
        b = await open();
        assert.equal(b.currentRevision(), a.currentRevision());
        assert.equal(b.compactedRevision(), target);
        assert.throws(() => b!.watch('/', target - 1, { onEvents: () => {} }), { code: 'TooOld' });
      } finally {
        await a.close();
        await b?.close();
      }
    });

    it('a list that runs into a compaction made by another client fails TooOld with its revision', async () => {
      const [a, b] = [await open(), await open()];
      try {
        await a.create('/k/a', '1');
        const r = a.currentRevision();
        await a.create('/k/b', '1');
        await b.compact(r + 1);
        assert.equal(a.compactedRevision() < r + 1, true, 'a has not seen the compaction yet');
        await assert.rejects(a.list('/k/', { revision: r }), { code: 'TooOld', revision: r + 1 });
        assert.equal(a.compactedRevision(), r + 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("a quiet watch's progress advances with writes elsewhere (etcd progress notifications), and it resumes past compaction", async () => {
      const store = await open();
      try {
        const c = new Collector();
        const h = store.watch('/quiet/', store.currentRevision(), c);
        await store.create('/quiet/a', 'v');
        for (let i = 0; i < 3; i++) await store.create(`/busy/${i}`, 'v');
        const now = store.currentRevision();
        await c.until(() => h.progress?.() === now, 'progress through the writes to /busy/');
        assert.deepEqual(c.events.map((e) => e.revision), [now - 3], 'it never claims past an event it has not delivered');
        h.cancel();
        assert.equal(h.progress?.(), 0, 'nothing once cancelled');
        // The revision progress reported is one a new watch can start from after compaction.
        await store.compact(now);
        const again = new Collector();
        const h2 = store.watch('/quiet/', now, again);
        const b = await store.create('/quiet/b', 'v');
        await again.next(1);
        assert.deepEqual(again.events.map((e) => e.revision), [b.modRevision]);
        h2.cancel();
      } finally {
        await store.close();
      }
    });

    it('watches of one store hand out one object per event, and a later prevKv is the earlier event\'s kv', async () => {
      const store = await open();
      try {
        const cs = [new Collector(), new Collector()];
        const hs = cs.map((c) => store.watch('/s/', store.currentRevision(), c));
        const a = await store.create('/s/a', '1');
        await store.update('/s/a', '2', a.modRevision);
        for (const c of cs) await c.next(2);
        const [one, two] = cs.map((c) => c.events);
        assert.deepEqual(one.map((e) => e.kv.value), ['1', '2']);
        assert.equal(one[0], two[0]);
        assert.equal(one[1], two[1]);
        assert.equal(one[1].prevKv, one[0].kv);
        for (const h of hs) h.cancel();
      } finally {
        await store.close();
      }
    });

    it('a watch that etcd cancels for compaction ends with onError TooOld and the compacted revision', async () => {
      const [a, b] = [await open(), await open()];
      try {
        await a.create('/k/a', '1');
        const r = a.currentRevision();
        await a.create('/k/b', '1');
        await a.create('/k/c', '1');
        await b.compact(r + 2);
        const events: unknown[] = [];
        const err = await new Promise<{ code: string; revision?: number }>((resolve) => {
          a.watch('/k/', r, { onEvents: (evs) => events.push(...evs), onError: resolve });
        });
        assert.equal(err.code, 'TooOld');
        assert.equal(err.revision, r + 2);
        assert.deepEqual(events, []);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
