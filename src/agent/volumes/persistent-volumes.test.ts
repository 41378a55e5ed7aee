/**
 * The agent's claim resolution (apiClaimResolver) against an in-process API server: the kubelet's
 * messages for a missing or unbound claim (desired_state_of_world_populator.go), a bound claim's
 * hostPath, and a local-path volume's directory made 0777 on first use (k3s's local-path setup).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/kinds/index.js';
import { resources } from '../../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { apiClaimResolver } from './persistent-volumes.js';

const NS = 'pvres';

describe('apiClaimResolver', () => {
  let env: ClientEnv;
  let dir: string;
  before(async () => {
    env = await startClientEnv({ namespace: NS });
    dir = mkdtempSync(join(tmpdir(), 'bosun-pvres-'));
  });
  after(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const claims = () => env.client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, NS);
  const claim = (name: string): PersistentVolumeClaim => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS },
    spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });

  it('a missing claim and an unbound claim are refused with the kubelet\'s messages', async () => {
    const resolve = apiClaimResolver(env.client);
    await assert.rejects(resolve(NS, 'nope'), { name: 'VolumeSetupError', message: 'persistentvolumeclaim "nope" not found' });
    await claims().create(claim('pending'));
    await assert.rejects(resolve(NS, 'pending'), { message: `PVC ${NS}/pending has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")` });
  });

  it('a bound local-path claim resolves to its hostPath, made 0777 on first use', async () => {
    const path = join(dir, 'storage', 'pvc-1');
    const created = await claims().create(claim('bound'));
    await env.client.resource<PersistentVolume>(resources.persistentvolumes).create({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvres-1', annotations: { 'pv.kubernetes.io/provisioned-by': 'bosun.dev/local-path' } },
      spec: {
        capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: { namespace: NS, name: 'bound', uid: created.metadata.uid },
      },
    });
    const withVolume = await claims().update({ ...created, spec: { ...created.spec, volumeName: 'pvres-1' } });
    await claims().updateStatus({ ...withVolume, status: { phase: 'Bound' } });
    assert.deepEqual(await apiClaimResolver(env.client)(NS, 'bound'), { path, type: 'DirectoryOrCreate' });
    assert.equal(statSync(path).mode & 0o777, 0o777);
  });
});
