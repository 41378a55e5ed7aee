/**
 * Upstream's sig-storage conformance tests of the storage APIs (test/e2e/storage/csi_inline.go,
 * csi_node.go, csistoragecapacity.go, persistent_volumes.go's "CSI Conformance", storageclass.go,
 * volume_attachment.go), step by step, against a whole control plane (the persistentvolume binder
 * and the pv/pvc-protection controllers release what the claims' finalizers hold) with simulated
 * nodes: no volume is mounted by any of them upstream either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { simClusterForFile } from './testing/sim-cluster.js';
import { WatchReader } from './testing/watch-reader.js';

const NS = 'cf-storage';
const cluster = simClusterForFile({ namespace: NS, nodes: { count: 1 } });
const rc = (ref: Parameters<typeof cluster.client.resource>[0], ns?: string) => cluster.client.resource(ref, ns);
const conflict = (p: Promise<unknown>) => assert.rejects(p, (e: unknown) => e instanceof StatusError && e.status.code === 409 && e.status.reason === 'AlreadyExists');
/** Deleted, or (as upstream accepts) held by a finalizer with a deletionTimestamp. */
const goneOrDeleting = async (get: Promise<KubeObject>): Promise<void> => {
  const o = await get.catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  assert.ok(!o || o.metadata.deletionTimestamp, `deleted or being deleted: ${JSON.stringify(o?.metadata)}`);
};
const labelsOf = (o: KubeObject) => o.metadata.labels ?? {};
const rvLess = (a?: string, b?: string) => BigInt(a ?? '0') < BigInt(b ?? '0');
const suffix = () => Math.random().toString(36).slice(2, 7);
/** client-go's retry.RetryOnConflict: the controllers write these objects too. */
async function retryOnConflict<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof StatusError && e.status.code === 409) || i >= 9) throw e;
    }
  }
}

test('[sig-storage] CSIInlineVolumes should support CSIVolumeSource in Pod API [Conformance]', async () => {
  const pods = cluster.client.pods(NS);
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-csi-inline-volumes' },
    spec: {
      volumes: [
        { name: 'csi-inline-vol1', csi: { driver: 'e2e.example.com' } },
        { name: 'csi-inline-vol2', csi: { driver: 'e2e.example.com', fsType: 'ext4', readOnly: true } },
      ],
      containers: [{ name: 'pod-csi-inline-volumes', image: 'busybox', command: ['sh', '-c', 'ls /mnt/*'], volumeMounts: [{ name: 'csi-inline-vol1', mountPath: '/mnt/vol1' }, { name: 'csi-inline-vol2', mountPath: '/mnt/vol2' }] }],
    },
  };
  const created = await pods.create(pod);
  await conflict(pods.create(pod));
  assert.equal((await pods.get(pod.metadata.name)).metadata.uid, created.metadata.uid);
  const list = await pods.list();
  assert.equal(list.items.length, 1);
  assert.deepEqual((list.items[0]!.spec as { volumes: unknown[] }).volumes.slice(0, 2), pod.spec.volumes, 'the CSI volume sources are kept as sent');
  const patched = await pods.patch(pod.metadata.name, 'merge', { metadata: { annotations: { patched: 'true' } } });
  assert.equal(patched.metadata.annotations?.patched, 'true');
  await pods.delete(pod.metadata.name);
  await goneOrDeleting(pods.get(pod.metadata.name));
});

test('[sig-storage] CSIInlineVolumes should run through the lifecycle of a CSIDriver [Conformance]', async () => {
  const drivers = rc(resources.csidrivers);
  const label = { 'e2e-test': `cf-${suffix()}` };
  const driver = (modes: string[]) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: `inline-driver-${suffix()}`, labels: label }, spec: { volumeLifecycleModes: modes, fsGroupPolicy: 'ReadWriteOnceWithFSType' } });
  const d1 = driver(['Ephemeral']);
  const d2 = driver(['Persistent', 'Ephemeral']);
  const created1 = await drivers.create(d1);
  const created2 = await drivers.create(d2);
  await conflict(drivers.create(d1));
  assert.equal((await drivers.get(d1.metadata.name)).metadata.uid, created1.metadata.uid);
  const got2 = await drivers.get(d2.metadata.name);
  assert.equal(got2.metadata.uid, created2.metadata.uid);
  const patched = await drivers.patch(d2.metadata.name, 'strategic', { metadata: { labels: { [d2.metadata.name]: 'patched' } } });
  assert.equal(labelsOf(patched)[d2.metadata.name], 'patched');
  const cur = await drivers.get(d2.metadata.name);
  const updated = await drivers.update({ ...cur, metadata: { ...cur.metadata, labels: { ...labelsOf(cur), [d2.metadata.name]: 'updated' } } });
  assert.equal(labelsOf(updated)[d2.metadata.name], 'updated');
  assert.equal((await drivers.list({ labelSelector: `e2e-test=${label['e2e-test']}` })).items.length, 2);
  await drivers.delete(d1.metadata.name);
  await goneOrDeleting(drivers.get(d1.metadata.name));
  await drivers.deleteCollection({ labelSelector: `${d2.metadata.name}=updated` });
  await goneOrDeleting(drivers.get(d2.metadata.name));
});

test('[sig-storage] CSINodes CSI Conformance should run through the lifecycle of a csinode [Conformance]', async () => {
  const csinodes = rc(resources.csinodes);
  const make = () => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: `e2e-csinode-${suffix()}` }, spec: { drivers: [] } });
  const first = await csinodes.create(make());
  const name = first.metadata.name!;
  assert.equal((await csinodes.get(name)).metadata.name, name);
  const patched = await csinodes.patch(name, 'strategic', { metadata: { labels: { [name]: 'patched' } } });
  assert.equal(labelsOf(patched)[name], 'patched');
  assert.equal((await csinodes.list({ labelSelector: `${name}=patched` })).items.length, 1);
  await csinodes.delete(name);
  assert.deepEqual((await csinodes.list({ labelSelector: `${name}=patched` })).items, []);
  const second = await csinodes.create(make());
  const name2 = second.metadata.name!;
  const got = await csinodes.get(name2);
  assert.equal(got.metadata.name, name2);
  const updated = await csinodes.update({ ...got, metadata: { ...got.metadata, labels: { [name2]: 'updated' } } });
  assert.equal(labelsOf(updated)[name2], 'updated');
  await csinodes.deleteCollection({ labelSelector: `${name2}=updated` });
  assert.deepEqual((await csinodes.list({ labelSelector: `${name2}=updated` })).items, []);
});

test('[sig-storage] CSIStorageCapacity should support CSIStorageCapacities API operations [Conformance]', async () => {
  const groups = await cluster.client.raw<{ groups: { name: string; versions: { version: string }[] }[] }>('GET', '/apis');
  assert.ok(groups.groups.find((g) => g.name === 'storage.k8s.io')?.versions.some((v) => v.version === 'v1'), 'storage.k8s.io/v1 in /apis');
  const group = await cluster.client.raw<{ versions: { version: string }[] }>('GET', '/apis/storage.k8s.io');
  assert.ok(group.versions.some((v) => v.version === 'v1'));
  const rl = await cluster.client.raw<{ resources: { name: string }[] }>('GET', '/apis/storage.k8s.io/v1');
  assert.ok(rl.resources.some((r) => r.name === 'csistoragecapacities'));

  const unique = `cf-csc-${suffix()}`;
  const cscs = rc(resources.csistoragecapacities, NS);
  const all = rc(resources.csistoragecapacities);
  const make = (s: string) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: unique + s, labels: { test: unique } }, storageClassName: 'e2e.example.com' });
  const created = await cscs.create(make('-csc1'));
  await conflict(cscs.create(make('-csc1')));
  await cscs.create(make('-csc2'));
  const sel = { labelSelector: `test=${unique}` };
  const watches = [new WatchReader(await cscs.watch(sel)), new WatchReader(await all.watch(sel))];
  try {
    await cscs.create(make('-csc3'));
    assert.equal((await cscs.get(created.metadata.name!)).metadata.uid, created.metadata.uid);
    assert.equal((await cscs.list(sel)).items.length, 3, 'listing in namespace');
    assert.equal((await all.list(sel)).items.length, 3, 'listing across namespaces');
    const patched = await cscs.patch(created.metadata.name!, 'merge', { metadata: { annotations: { patched: 'true' } } });
    assert.equal(patched.metadata.annotations?.patched, 'true');
    const updated = await cscs.update({ ...patched, metadata: { ...patched.metadata, annotations: { ...patched.metadata.annotations, updated: 'true' } } });
    assert.equal(updated.metadata.annotations?.updated, 'true');
    // Each watch (from "now": ADDED for the two existing first) sees csc3 added, then the patch, then the update.
    for (const w of watches) {
      const seen: string[] = [];
      while (!seen.includes('updated')) {
        const ev = await w.next('the updated CSIStorageCapacity');
        if (ev.type === 'ADDED') seen.push(`added ${ev.object.metadata.name}`);
        else if (ev.type === 'MODIFIED') seen.push(ev.object.metadata.annotations?.updated === 'true' ? 'updated' : 'patched');
      }
      assert.deepEqual(seen.slice(-3), [`added ${unique}-csc3`, 'patched', 'updated']);
    }
  } finally {
    for (const w of watches) w.stop();
  }
  await cscs.delete(created.metadata.name!);
  await goneOrDeleting(cscs.get(created.metadata.name!));
  assert.equal((await cscs.list(sel)).items.length, 2);
  await cscs.deleteCollection(sel);
  assert.deepEqual((await cscs.list(sel)).items, []);
});

/** e2epv.CreatePVsPVCs with one of each: a Retain PV of 2Gi by `source`, a claim of its class. */
async function createPvAndPvc(source: Record<string, unknown>): Promise<{ pv: string; pvc: string }> {
  const pv = await rc(resources.persistentvolumes).create({
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { generateName: `${NS}-`, labels: { 'e2e-pv-pool': NS }, annotations: { 'pv.beta.kubernetes.io/gid': '777' } },
    spec: { persistentVolumeReclaimPolicy: 'Retain', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: NS, ...source },
  });
  const pvc = await rc(resources.persistentvolumeclaims, NS).create({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { generateName: 'pvc-' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: NS },
  });
  return { pv: pv.metadata.name!, pvc: pvc.metadata.name! };
}
const volLabel = `e2e-pv-pool=${NS}`;

test('[sig-storage] PersistentVolumes CSI Conformance should run through the lifecycle of a PV and a PVC [Conformance]', async () => {
  const pvs = rc(resources.persistentvolumes);
  const pvcs = rc(resources.persistentvolumeclaims, NS);
  const driver = `inline-driver-${suffix()}`;
  await createPvAndPvc({ csi: { driver, volumeHandle: 'e2e-conformance' } });
  const pvList = await pvs.list({ labelSelector: volLabel });
  assert.equal(pvList.items.length, 1);
  const initialPV = pvList.items[0]!;
  const pvcList = await pvcs.list();
  assert.equal(pvcList.items.length, 1);
  const initialPVC = pvcList.items[0]!;
  const patchedPV = await pvs.patch(initialPV.metadata.name!, 'strategic', { metadata: { labels: { [initialPV.metadata.name!]: 'patched' } } });
  assert.equal(labelsOf(patchedPV)[initialPV.metadata.name!], 'patched');
  assert.ok(rvLess(initialPV.metadata.resourceVersion, patchedPV.metadata.resourceVersion), 'patched PV has a larger resourceVersion');
  const patchedPVC = await pvcs.patch(initialPVC.metadata.name!, 'strategic', { metadata: { labels: { [initialPVC.metadata.name!]: 'patched' } } });
  assert.equal(labelsOf(patchedPVC)[initialPVC.metadata.name!], 'patched');
  assert.ok(rvLess(initialPVC.metadata.resourceVersion, patchedPVC.metadata.resourceVersion), 'patched PVC has a larger resourceVersion');
  assert.equal((await pvs.get(patchedPV.metadata.name!)).metadata.uid, patchedPV.metadata.uid);
  assert.equal((await pvcs.get(patchedPVC.metadata.name!)).metadata.uid, patchedPVC.metadata.uid);
  // The protection finalizers hold both until their controllers release them.
  await pvcs.delete(patchedPVC.metadata.name!);
  await eventually(async () => (await pvcs.list()).items.length === 0, 'the PVC deleted');
  await pvs.delete(patchedPV.metadata.name!);
  await eventually(async () => (await pvs.list({ labelSelector: volLabel })).items.length === 0, 'the PV deleted');

  const { pv, pvc } = await createPvAndPvc({ csi: { driver, volumeHandle: 'e2e-conformance' } });
  const pvSel = `${pv}=updated`;
  const updatedPV = await retryOnConflict(async () => {
    const cur = await pvs.get(pv);
    return pvs.update({ ...cur, metadata: { ...cur.metadata, labels: { ...labelsOf(cur), [pv]: 'updated' } } });
  });
  assert.equal(labelsOf(updatedPV)[pv], 'updated');
  const pvcSel = `${pvc}=updated`;
  const updatedPVC = await retryOnConflict(async () => {
    const cur = await pvcs.get(pvc);
    return pvcs.update({ ...cur, metadata: { ...cur.metadata, labels: { [pvc]: 'updated' } } });
  });
  assert.equal(labelsOf(updatedPVC)[pvc], 'updated');
  assert.equal((await rc(resources.persistentvolumeclaims).list({ labelSelector: pvcSel })).items.length, 1, 'listing PVCs in all namespaces');
  await pvcs.deleteCollection({ labelSelector: pvcSel });
  await eventually(async () => (await pvcs.list({ labelSelector: pvcSel })).items.length === 0, 'the PVC deleted by collection');
  await pvs.deleteCollection({ labelSelector: pvSel });
  await eventually(async () => (await pvs.list({ labelSelector: pvSel })).items.length === 0, 'the PV deleted by collection');
});

test('[sig-storage] PersistentVolumes CSI Conformance should apply changes to a pv/pvc status [Conformance]', async () => {
  const pvs = rc(resources.persistentvolumes);
  const pvcs = rc(resources.persistentvolumeclaims, NS);
  const { pv, pvc } = await createPvAndPvc({ csi: { driver: `e2e-driver-${suffix()}`, volumeHandle: 'e2e-status-conformance' } });
  try {
    assert.equal((await pvs.list({ labelSelector: volLabel })).items.length, 1);
    assert.equal((await pvcs.list()).items.length, 1);
    const phase = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;
    const pvcStatus = await cluster.client.raw<KubeObject>('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/${pvc}/status`);
    assert.ok(['Pending', 'Bound'].includes(phase(pvcStatus) ?? ''), `PVC phase ${phase(pvcStatus)}`);
    const pvStatus = await cluster.client.raw<KubeObject>('GET', `/api/v1/persistentvolumes/${pv}/status`);
    assert.ok(['Available', 'Bound', 'Pending'].includes(phase(pvStatus) ?? ''), `PV phase ${phase(pvStatus)}`);
    type Cond = { type: string; reason?: string; message?: string };
    const cond = (o: KubeObject, type: string) => ((o.status as { conditions?: Cond[] }).conditions ?? []).find((c) => c.type === type);
    const patchedPVC = await pvcs.patch(pvc, 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True', reason: 'E2E patchedStatus', message: 'Set from e2e test' }] } }, { subresource: 'status' });
    assert.deepEqual([cond(patchedPVC, 'StatusPatched')?.reason, cond(patchedPVC, 'StatusPatched')?.message], ['E2E patchedStatus', 'Set from e2e test']);
    const patchedPV = await pvs.patch(pv, 'merge', { status: { message: 'StatusPatched', reason: 'E2E patchStatus' } }, { subresource: 'status' });
    assert.deepEqual([(patchedPV.status as Cond).reason, (patchedPV.status as Cond).message], ['E2E patchStatus', 'StatusPatched']);
    const updatedPVC = await retryOnConflict(async () => {
      const cur = await pvcs.get(pvc);
      const st = cur.status as { conditions?: Cond[] };
      return pvcs.updateStatus({ ...cur, status: { ...st, conditions: [...(st.conditions ?? []), { type: 'StatusUpdated', status: 'True', reason: 'E2E updateStatus', message: 'Set from e2e test' }] } });
    });
    assert.deepEqual([cond(updatedPVC, 'StatusUpdated')?.reason, cond(updatedPVC, 'StatusUpdated')?.message], ['E2E updateStatus', 'Set from e2e test']);
    const updatedPV = await retryOnConflict(async () => {
      const cur = await pvs.get(pv);
      return pvs.updateStatus({ ...cur, status: { ...(cur.status as object), reason: 'E2E updateStatus', message: 'StatusUpdated' } });
    });
    assert.deepEqual([(updatedPV.status as Cond).reason, (updatedPV.status as Cond).message], ['E2E updateStatus', 'StatusUpdated']);
  } finally {
    await pvcs.delete(pvc).catch(() => {});
    await pvs.delete(pv).catch(() => {});
  }
});

test('[sig-storage] StorageClasses CSI Conformance should run through the lifecycle of a StorageClass [Conformance]', async () => {
  const scs = rc(resources.storageclasses);
  const created = await scs.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { generateName: 'e2e-' }, provisioner: 'e2e-fake-provisioner' } as KubeObject);
  const name = created.metadata.name!;
  const got = await scs.get(name);
  const patched = await scs.patch(name, 'strategic', { metadata: { labels: { [name]: 'patched' } } });
  assert.equal(labelsOf(patched)[name], 'patched');
  assert.ok(rvLess(got.metadata.resourceVersion, patched.metadata.resourceVersion), 'patched object has a larger resourceVersion');
  await scs.delete(name);
  assert.deepEqual((await scs.list({ labelSelector: `${name}=patched` })).items, []);
  const replacement = await scs.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { generateName: 'e2e-v2-' }, provisioner: 'e2e-fake-provisioner' } as KubeObject);
  const name2 = replacement.metadata.name!;
  const cur = await scs.get(name2);
  const updated = await scs.update({ ...cur, metadata: { ...cur.metadata, labels: { [name2]: 'updated' } } });
  assert.equal(labelsOf(updated)[name2], 'updated');
  assert.equal((await scs.list({ labelSelector: `${name2}=updated` })).items.length, 1);
  await scs.deleteCollection({ labelSelector: `${name2}=updated` });
  assert.deepEqual((await scs.list({ labelSelector: `${name2}=updated` })).items, []);
});
