/**
 * The StatefulSet controller against an in-process API server. No kubelet runs: the test marks pods
 * Running and Ready through pods/status, so it decides when each pod is "up". Pods are never bound,
 * so a deletion removes them at once (as upstream's API server does for unscheduled pods).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import { Manager } from '../../controller-runtime/manager.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { addGarbageCollector } from '../garbage-collector/garbage-collector.js';
import { addStatefulSetController } from './statefulset-controller.js';

const eventually = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50, retryErrors: true });
let env: ClientEnv;
let client: KubeClient;

before(async () => {
  env = await startClientEnv();
  client = env.client;
});
after(() => env.stop());

async function newNamespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return ns;
}

async function startManager(withGc = false): Promise<Manager> {
  const mgr = new Manager({ client, logger: quietLogger });
  addStatefulSetController(mgr);
  if (withGc) addGarbageCollector(mgr);
  await mgr.start();
  return mgr;
}

const stsApi = (ns: string) => client.resource<StatefulSet>(resources.statefulsets, ns);

function statefulSet(name: string, image: string, spec: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas: 3, serviceName: name, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

async function markReady(ns: string, name: string): Promise<void> {
  await client.pods<Pod>(ns).patchStatus(name, 'merge', {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
}

const getPod = async (ns: string, name: string): Promise<Pod | undefined> => (await client.pods<Pod>(ns).list()).items.find((p) => p.metadata.name === name);
const revisionOf = (p: Pod | undefined) => p?.metadata.labels?.['controller-revision-hash'];

/** Every ADDED event of `ref` in `ns`, by name, from now on. */
async function countCreations(t: { after(fn: () => Promise<void>): void }, ref: ResourceRef, ns: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const watch = await client.resource<KubeObject>(ref, ns).watch({ resourceVersion: '0' });
  const pump = (async () => {
    for await (const ev of watch) if (ev.type === 'ADDED') seen.set(ev.object.metadata.name!, (seen.get(ev.object.metadata.name!) ?? 0) + 1);
  })();
  t.after(async () => {
    watch.stop();
    await pump.catch(() => undefined);
  });
  return seen;
}

test('StatefulSet: ordered start with claims, a rolling update from the top, and a controller restart mid-rollout that loses or duplicates nothing', async (t) => {
  const ns = await newNamespace('sts-restart');
  const podAdds = await countCreations(t, resources.pods, ns);
  const claimAdds = await countCreations(t, resources.persistentvolumeclaims, ns);
  let mgr = await startManager();
  t.after(() => mgr.stop());
  await stsApi(ns).create(statefulSet('web', 'img:1'));

  // OrderedReady: web-(i+1) does not exist while web-i is not ready.
  for (let i = 0; i < 3; i++) {
    const p = await eventually(() => getPod(ns, `web-${i}`), `web-${i} created`);
    assert.equal(await getPod(ns, `web-${i + 1}`), undefined, `web-${i + 1} waits for web-${i}`);
    assert.equal(p.spec?.hostname, `web-${i}`);
    assert.equal(p.spec?.subdomain, 'web');
    assert.deepEqual((p.spec?.volumes as unknown[])?.[0], { name: 'data', persistentVolumeClaim: { claimName: `data-web-${i}` } });
    await client.resource(resources.persistentvolumeclaims, ns).get(`data-web-${i}`);
    await markReady(ns, `web-${i}`);
  }
  const rev1 = await eventually(async () => {
    const s = (await stsApi(ns).get('web')).status;
    return s?.readyReplicas === 3 && s.currentRevision === s.updateRevision && s.currentReplicas === 3 && s.currentRevision;
  }, 'status: 3 ready at one revision');

  // Rolling update: web-2 goes first and comes back at the new revision; stop the controller there.
  await stsApi(ns).patch('web', 'merge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } });
  const rev2 = await eventually(async () => {
    const r = revisionOf(await getPod(ns, 'web-2'));
    return r !== rev1 && r;
  }, 'web-2 at the new revision');
  assert.equal(revisionOf(await getPod(ns, 'web-1')), rev1, 'web-1 untouched while web-2 is not ready');
  await mgr.stop();
  await markReady(ns, 'web-2');

  mgr = await startManager();
  for (const i of [1, 0]) {
    await eventually(async () => revisionOf(await getPod(ns, `web-${i}`)) === rev2, `web-${i} updated`);
    await markReady(ns, `web-${i}`);
  }
  const done = await eventually(async () => {
    const s = (await stsApi(ns).get('web')).status;
    return s?.currentRevision === rev2 && s.updateRevision === rev2 && s.updatedReplicas === 3 && s.readyReplicas === 3 && s;
  }, 'rollout complete');
  assert.equal(done.observedGeneration, 2);

  // Nothing lost or duplicated: each pod made twice (start, update), each claim once, two revisions.
  await eventually(async () => (await client.pods<Pod>(ns).list()).items.length === 3, '3 pods');
  assert.deepEqual(Object.fromEntries([...podAdds].sort()), { 'web-0': 2, 'web-1': 2, 'web-2': 2 });
  assert.deepEqual(Object.fromEntries([...claimAdds].sort()), { 'data-web-0': 1, 'data-web-1': 1, 'data-web-2': 1 });
  const revs = (await client.resource(resources.controllerrevisions, ns).list()).items;
  assert.deepEqual(revs.map((r) => r.metadata.name).sort(), [rev1, rev2].sort());
});

test('StatefulSet: a rolling update without rollingUpdate (newVersionedStatefulSetPod by status.currentReplicas) makes each replaced pod once, at the new revision', async (t) => {
  // Unbound pods go at once on delete, as a fast kubelet's would: the sync after the delete must not
  // make the pod again at the old revision. Upstream's updateStatefulSet counts the pod it deleted
  // for the update out of status.currentReplicas (status.CurrentReplicas--), so the next sync makes
  // ordinal >= currentReplicas at the update revision.
  const ns = await newNamespace('sts-ru');
  const adds: string[] = [];
  const watch = await client.pods<Pod>(ns).watch({ resourceVersion: '0' });
  const pump = (async () => {
    for await (const ev of watch) if (ev.type === 'ADDED') adds.push(`${ev.object.metadata.name}@${revisionOf(ev.object)}`);
  })();
  t.after(async () => {
    watch.stop();
    await pump.catch(() => undefined);
  });
  const mgr = await startManager();
  t.after(() => mgr.stop());
  await stsApi(ns).create(statefulSet('web', 'img:1', { volumeClaimTemplates: [], updateStrategy: { type: 'RollingUpdate' } }));
  for (let i = 0; i < 3; i++) {
    await eventually(() => getPod(ns, `web-${i}`), `web-${i} created`);
    await markReady(ns, `web-${i}`);
  }
  const rev1 = await eventually(async () => {
    const s = (await stsApi(ns).get('web')).status;
    return s?.readyReplicas === 3 && s.currentReplicas === 3 && s.currentRevision;
  }, 'status: 3 ready at one revision');
  assert.equal((await stsApi(ns).get('web')).spec?.updateStrategy?.rollingUpdate, undefined, 'an explicit type keeps rollingUpdate unset (SetDefaults_StatefulSet)');
  await stsApi(ns).patch('web', 'merge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } });
  let rev2 = '';
  for (const i of [2, 1, 0]) {
    rev2 = await eventually(async () => {
      const r = revisionOf(await getPod(ns, `web-${i}`));
      return r !== rev1 && r;
    }, `web-${i} at the new revision`);
    await markReady(ns, `web-${i}`);
  }
  await eventually(async () => (await stsApi(ns).get('web')).status?.currentRevision === rev2, 'rollout complete');
  assert.deepEqual(adds.sort(), [`web-0@${rev1}`, `web-0@${rev2}`, `web-1@${rev1}`, `web-1@${rev2}`, `web-2@${rev1}`, `web-2@${rev2}`].sort());
});

test('StatefulSet: Parallel creates all pods at once; scale-down through /scale removes the highest ordinals; a Failed pod is made again', async (t) => {
  const ns = await newNamespace('sts-par');
  const mgr = await startManager();
  t.after(() => mgr.stop());
  await stsApi(ns).create(statefulSet('db', 'img:1', { podManagementPolicy: 'Parallel', replicas: 4, volumeClaimTemplates: [] }));
  await eventually(async () => (await client.pods<Pod>(ns).list()).items.length === 4, '4 pods before any is ready');
  await stsApi(ns).patchScale('db', 2);
  const left = await eventually(async () => {
    const items = (await client.pods<Pod>(ns).list()).items;
    return items.length === 2 && items;
  }, '2 pods');
  assert.deepEqual(left.map((p) => p.metadata.name).sort(), ['db-0', 'db-1']);

  // A Failed pod is deleted and made again, without the RecreatingFailedPod event upstream dropped in 1.31 (#123809).
  const failed = left.find((p) => p.metadata.name === 'db-0')!;
  await client.pods<Pod>(ns).patchStatus('db-0', 'merge', { status: { phase: 'Failed' } });
  await eventually(async () => {
    const p = await getPod(ns, 'db-0');
    return p && p.metadata.uid !== failed.metadata.uid;
  }, 'db-0 made again');
  await mgr.stop(); // flushes the recorder: every event the sync recorded is written
  const reasons = (await client.events(ns).list()).items.map((e) => (e as unknown as { reason: string }).reason);
  assert.ok(reasons.includes('SuccessfulDelete'), reasons.join());
  assert.ok(!reasons.includes('RecreatingFailedPod'), reasons.join());
});

test('StatefulSet: persistentVolumeClaimRetentionPolicy Delete/Delete: a scaled-down pod\'s claim goes with the pod, the rest with the set', async (t) => {
  const ns = await newNamespace('sts-retain');
  const mgr = await startManager(true);
  t.after(() => mgr.stop());
  const set = await stsApi(ns).create(statefulSet('db', 'img:1', { replicas: 2, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
  const claimApi = client.resource(resources.persistentvolumeclaims, ns);
  await eventually(async () => (await client.pods<Pod>(ns).list()).items.length === 2, '2 pods');
  const owners = (await claimApi.get('data-db-1')).metadata.ownerReferences;
  assert.deepEqual(owners, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);

  await stsApi(ns).patchScale('db', 1);
  // The garbage collector deletes the claim once its owner, the condemned pod, is gone (pvc-protection may hold it as Terminating).
  await eventually(async () => {
    const c = (await claimApi.list()).items.find((x) => x.metadata.name === 'data-db-1');
    return !c || !!c.metadata.deletionTimestamp;
  }, 'data-db-1 deleted with db-1');
  assert.equal((await claimApi.get('data-db-0')).metadata.deletionTimestamp, undefined, 'data-db-0 stays');

  await stsApi(ns).delete('db');
  await eventually(async () => {
    const c = (await claimApi.list()).items.find((x) => x.metadata.name === 'data-db-0');
    return !c || !!c.metadata.deletionTimestamp;
  }, 'data-db-0 deleted with the set');
});
