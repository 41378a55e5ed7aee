/**
 * The PV controller, the protection controllers and the scheduler's VolumeBinding together against
 * an in-process API server, on two nodes without containers (upstream's volume scheduling
 * integration tests, test/integration/volumescheduling, are the model):
 * - a WaitForFirstConsumer claim gets its volume on the node the scheduler chose for its pod (the
 *   pod's nodeSelector picks n2 here): selected-node, PV node affinity and directory follow it;
 * - a static PV binds a matching claim and not a too-small one;
 * - a claim in use keeps kubernetes.io/pvc-protection while its pod exists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../api/kinds/index.js';
import { resources } from '../../client/resource-ref.js';
import { Scheduler } from '../../scheduler/index.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { addPvcProtectionController, addPvProtectionController } from '../volume-protection/volume-protection.js';
import { addPersistentVolumeController } from './pv-controller.js';

const NS = 'pvct';

const node = (name: string): Node => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations: { 'storage.bosun.dev/local-path-dir': `/srv/${name}/storage` } },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
} as Node);

const claim = (name: string, size: string, storageClassName?: string): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...(storageClassName !== undefined ? { storageClassName } : {}) },
});

describe('PV controller with the scheduler', { timeout: 60_000 }, () => {
  let env: ControllerEnv;
  before(async () => {
    env = await startControllerEnv({
      namespace: NS,
      prepare: async (client) => {
        for (const n of ['pvct-n1', 'pvct-n2']) await client.nodes().create(node(n));
        await client.resource<StorageClass>(resources.storageclasses).create({
          apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
          metadata: { name: 'pvct-local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
          provisioner: 'bosun.dev/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete',
        });
      },
      add: (mgr) => {
        addPersistentVolumeController(mgr, { defaultLocalPathDir: '/unused' });
        addPvcProtectionController(mgr);
        addPvProtectionController(mgr);
        const s = new Scheduler({ client: mgr.client, informers: mgr.informers, logger: quietLogger });
        mgr.add({ start: (signal) => s.start(signal), stop: () => s.stop() });
      },
    });
  });
  after(async () => {
    await env?.stop();
  });

  const claims = () => env.client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, NS);
  const volumes = () => env.client.resource<PersistentVolume>(resources.persistentvolumes);

  it("a WaitForFirstConsumer claim's volume is made on its pod's node", async () => {
    await claims().create(claim('wffc', '1Gi'));
    await env.client.pods(NS).create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: NS },
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'pvct-n2' }, containers: [{ name: 'c', image: 'x:1' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'wffc' } }] },
    } as Pod);
    const bound = await eventually(async () => {
      const c = await claims().get('wffc');
      return c.status?.phase === 'Bound' ? c : undefined;
    }, 'claim wffc Bound');
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'pvct-n2');
    assert.equal(bound.spec?.storageClassName, 'pvct-local', 'the default class');
    const pv = await volumes().get(bound.spec!.volumeName!);
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, ['pvct-n2']);
    assert.deepEqual(pv.spec?.hostPath, { path: `/srv/pvct-n2/storage/${pv.metadata.name}`, type: 'DirectoryOrCreate' });
    const pod = await eventually(async () => {
      const p = await env.client.pods(NS).get('user') as Pod;
      return p.spec?.nodeName ? p : undefined;
    }, 'pod bound');
    assert.equal(pod.spec?.nodeName, 'pvct-n2');
  });

  it('a claim in use keeps its protection finalizer until the pod is gone', async () => {
    await claims().delete('wffc');
    const c = await claims().get('wffc');
    assert.ok(c.metadata.deletionTimestamp);
    assert.deepEqual(c.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    await env.client.pods(NS).delete('user', { gracePeriodSeconds: 0 });
    await eventually(async () => !(await claims().list()).items.some((x) => x.metadata.name === 'wffc'), 'claim wffc gone');
  });

  it('a static PV binds a matching claim, not a too-small one', async () => {
    await volumes().create({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvct-static' },
      spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'pvct-manual', hostPath: { path: '/srv/static' } },
    });
    await claims().create(claim('big', '5Gi', 'pvct-manual'));
    await claims().create(claim('fits', '1Gi', 'pvct-manual'));
    const fits = await eventually(async () => {
      const x = await claims().get('fits');
      return x.status?.phase === 'Bound' ? x : undefined;
    }, 'claim fits Bound');
    assert.equal(fits.spec?.volumeName, 'pvct-static');
    assert.equal(fits.status?.capacity?.storage, '2Gi');
    assert.equal((await volumes().get('pvct-static')).status?.phase, 'Bound');
    assert.equal((await claims().get('big')).status?.phase, 'Pending');
  });
});
