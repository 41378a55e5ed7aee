/**
 * PV, PVC and StorageClass through the real kubectl: the printer columns of upstream's
 * printPersistentVolume{,Claim}/printStorageClass, the protection finalizers added on create
 * (StorageObjectInUseProtection admission), the DefaultStorageClass admission and the
 * PersistentVolumeClaimResize admission.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const MANIFESTS = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: pvt-default
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: bosun.dev/local-path
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: pvt-vol }
spec:
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: manual
  hostPath: { path: /tmp/pvt-vol }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: pvt-claim, namespace: default }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: pvt-noclass, namespace: default }
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
`;

describe('storage kinds through kubectl', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await kubectlOk(server, ['apply', '-f', '-'], { input: MANIFESTS });
  });
  after(() => server.stop());

  it('kubectl get pv,pvc,sc prints upstream columns', async () => {
    const pv = await kubectlOk(server, ['get', 'pv', 'pvt-vol']);
    assert.match(pv, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\n/);
    assert.match(pv, /\npvt-vol\s+2Gi\s+RWO,ROX\s+Retain\s+Pending\s+manual\s+<unset>\s+\d+s\n/);
    const pvc = await kubectlOk(server, ['get', 'pvc', 'pvt-claim', '-o', 'wide']);
    assert.match(pvc, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\s+VOLUMEMODE\n/);
    assert.match(pvc, /\npvt-claim\s+Pending\s+pvt-default\s+<unset>\s+\d+s\s+Filesystem\n/);
    const sc = await kubectlOk(server, ['get', 'sc', 'pvt-default']);
    assert.match(sc, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/);
    assert.match(sc, /\npvt-default \(default\)\s+bosun.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+s\n/);
  });

  it('a claim without storageClassName gets the default class; an explicit "" keeps none', async () => {
    assert.equal(await kubectlOk(server, ['get', 'pvc', 'pvt-claim', '-o', 'jsonpath={.spec.storageClassName}']), 'pvt-default');
    assert.equal(await kubectlOk(server, ['get', 'pvc', 'pvt-noclass', '-o', 'jsonpath={.spec.storageClassName}']), '');
  });

  it('protection finalizers are added on create', async () => {
    assert.equal(await kubectlOk(server, ['get', 'pvc', 'pvt-claim', '-o', 'jsonpath={.metadata.finalizers}']), '["kubernetes.io/pvc-protection"]');
    assert.equal(await kubectlOk(server, ['get', 'pv', 'pvt-vol', '-o', 'jsonpath={.metadata.finalizers}']), '["kubernetes.io/pv-protection"]');
  });

  it('a bound claim grows only when its class allows expansion (PersistentVolumeClaimResize: 403 otherwise)', async () => {
    await kubectlOk(server, ['apply', '-f', '-'], { input: `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: pvt-grow}
provisioner: example.com/grow
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvt-growing, namespace: default}
spec: {storageClassName: pvt-grow, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
` });
    const bound = '{"status":{"phase":"Bound"}}';
    const grow = '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}';
    for (const c of ['pvt-growing', 'pvt-claim']) await kubectlOk(server, ['patch', 'pvc', c, '--subresource=status', '--type=merge', '-p', bound]);
    await kubectlOk(server, ['patch', 'pvc', 'pvt-growing', '--type=merge', '-p', grow]);
    assert.equal(await kubectlOk(server, ['get', 'pvc', 'pvt-growing', '-o', 'jsonpath={.spec.resources.requests.storage}']), '2Gi');
    const r = await server.kubectl(['patch', 'pvc', 'pvt-claim', '--type=merge', '-p', grow]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /persistentvolumeclaims "pvt-claim" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  });

  it('bad input is 422 naming the field', async () => {
    const r = await server.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: pvt-bad}\nspec: {resources: {requests: {storage: 1Gi}}}\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PersistentVolumeClaim "pvt-bad" is invalid: spec.accessModes: Required value: at least 1 access mode is required/);
    const u = await server.kubectl(['patch', 'pvc', 'pvt-claim', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']);
    assert.notEqual(u.code, 0);
    assert.match(u.stderr, /spec: Forbidden: spec is immutable after creation/);
  });
});
