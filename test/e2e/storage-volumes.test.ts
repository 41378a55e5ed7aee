/**
 * Persistent volumes on the real binary, real containerd and the real kubectl 1.32 (issue 15, Storage):
 * - the default `local-path` StorageClass (k3s's local-storage): a claim without a class gets it,
 *   waits for its first consumer, and the scheduler's VolumeBinding puts the pod on a node the
 *   provisioner then makes the volume on (PV node affinity to that node, directory under the node's
 *   DATA_DIR/storage, made by the agent on first mount);
 * - data written by a pod survives the pod's deletion and is there in its replacement;
 * - pvc-protection: a claim in use stays Terminating until its pod is gone; then (reclaim Delete)
 *   a helper pod on the node removes the directory and the PV goes;
 * - a static hostPath PV binds a matching claim, not a too-small one (which stays Pending);
 * - a pod whose volume's node is gone stays Pending with upstream's FailedScheduling message;
 * - a hostPath volume of type Directory on a missing path fails with the kubelet's message.
 * Needs root and scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/api/kinds/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

const writerPod = (name: string, script: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: bosun.test/busybox:1
    command: [sh, -c, '${script}; sleep 3600']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: sv-data}}]
`;

const CLAIM = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: sv-data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
`;

describe('persistent volumes: local-path, static PVs, hostPath types', { timeout: 300_000 }, () => {
  let node: NodeServer;
  let staticDir: string;

  before(async () => {
    node = await startNodeServer();
    staticDir = `/tmp/${node.prefix}-static`;
    // The deletion helper's image is the test busybox here (src/testing/helper-image.ts, tagged by the harness).
  });
  after(async () => {
    try {
      const { leftovers } = await node.stop();
      assert.deepEqual(leftovers.mounts, [], 'no mount left');
    } finally {
      await node?.forceCleanup();
      rmSync(staticDir, { recursive: true, force: true });
    }
  });

  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await node.k(...args, '-o', 'json')) as T;
  const phaseOf = async (kind: string, name: string): Promise<string> => (await json<{ status?: { phase?: string } }>('get', kind, name)).status?.phase ?? '';
  const running = (pod: string) => waitFor(`pod ${pod} Running`, async () => (await phaseOf('pod', pod)) === 'Running', 90_000);
  const gone = (...what: string[]) => waitFor(`${what.join(' ')} gone`, async () => (await node.kubectl(['get', ...what])).code !== 0, 90_000);
  const events = (name: string) => node.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');

  it('local-path is the default class; a claim without a class gets it and waits for its first consumer', async () => {
    assert.match(await node.k('get', 'sc'), /\nlocal-path \(default\)\s+bosun\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s/);
    const r = await node.kubectl(['apply', '-f', '-'], { input: CLAIM });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await node.k('get', 'pvc', 'sv-data', '-o', 'jsonpath={.spec.storageClassName}'), 'local-path');
    await waitFor('WaitForFirstConsumer event', async () => (await events('sv-data')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding'));
    assert.equal(await phaseOf('pvc', 'sv-data'), 'Pending');
  });

  let volumeName = '';
  let volumeDir = '';
  it("the first pod's node gets the volume: PV node affinity, directory under the node's data dir, data written", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: writerPod('sv-writer', 'echo persisted > /data/f') });
    assert.equal(r.code, 0, r.stderr);
    await running('sv-writer');
    const pvc = await json<PersistentVolumeClaim>('get', 'pvc', 'sv-data');
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'], node.nodeName);
    volumeName = pvc.spec!.volumeName!;
    const pv = await json<PersistentVolume>('get', 'pv', volumeName);
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [node.nodeName]);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    volumeDir = pv.spec!.hostPath!.path;
    assert.ok(volumeDir.startsWith(`${node.dataDir}/`) && volumeDir.endsWith(`/storage/${volumeName}`), volumeDir);
    await waitFor('the file on the node', () => existsSync(join(volumeDir, 'f')));
    assert.equal(readFileSync(join(volumeDir, 'f'), 'utf8'), 'persisted\n');
    assert.match(await node.k('get', 'pvc', 'sv-data'), new RegExp(`\\nsv-data\\s+Bound\\s+${volumeName}\\s+64Mi\\s+RWO\\s+local-path\\s+<unset>\\s`));
  });

  it('the data survives the pod and is there in its replacement', async () => {
    await node.k('delete', 'pod', 'sv-writer', '--wait=true');
    const r = await node.kubectl(['apply', '-f', '-'], { input: writerPod('sv-reader', 'cat /data/f') });
    assert.equal(r.code, 0, r.stderr);
    await running('sv-reader');
    await waitFor('reader log', async () => (await node.k('logs', 'sv-reader')).trim() === 'persisted');
  });

  it('a claim in use stays Terminating until its pod is gone; then Delete removes the directory and the PV', async () => {
    await node.k('delete', 'pvc', 'sv-data', '--wait=false');
    assert.match(await node.k('get', 'pvc', 'sv-data'), /\nsv-data\s+Terminating\s/);
    assert.ok(existsSync(volumeDir), 'nothing removed while the pod runs');
    await node.k('delete', 'pod', 'sv-reader', '--wait=true');
    await gone('pvc', 'sv-data');
    await gone('pv', volumeName);
    assert.equal(existsSync(volumeDir), false, 'the helper pod removed the volume directory');
  });

  it('a static hostPath PV binds a matching claim, not a too-small one', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: PersistentVolume
metadata: {name: ${node.prefix}-static}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: ${staticDir}, type: DirectoryOrCreate}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: sv-too-big}
spec: {storageClassName: manual, accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: sv-fits}
spec: {storageClassName: manual, accessModes: [ReadWriteOnce], resources: {requests: {storage: 512Mi}}}
`,
    });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('sv-fits Bound', async () => (await phaseOf('pvc', 'sv-fits')) === 'Bound');
    assert.equal(await node.k('get', 'pvc', 'sv-fits', '-o', 'jsonpath={.spec.volumeName}'), `${node.prefix}-static`);
    assert.match(await node.k('get', 'pv', `${node.prefix}-static`), new RegExp(`\\n${node.prefix}-static\\s+1Gi\\s+RWO\\s+Retain\\s+Bound\\s+default/sv-fits\\s+manual\\s`));
    assert.equal(await phaseOf('pvc', 'sv-too-big'), 'Pending');
    await node.k('delete', 'pvc', 'sv-fits', 'sv-too-big');
    await waitFor('static PV Released (Retain)', async () => (await phaseOf('pv', `${node.prefix}-static`)) === 'Released');
    await node.k('delete', 'pv', `${node.prefix}-static`);
  });

  it("a pod whose volume's node is gone stays Pending with the scheduler's reason", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: PersistentVolume
metadata: {name: ${node.prefix}-orphan}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  claimRef: {namespace: default, name: sv-orphan}
  local: {path: /nonexistent}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node.prefix}-gone-node]}]}]}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: sv-orphan}
spec: {storageClassName: "", accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: sv-orphan-pod}
spec:
  containers: [{name: c, image: bosun.test/busybox:1, command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /d}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: sv-orphan}}]
`,
    });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('claim bound to the pre-bound volume', async () => (await phaseOf('pvc', 'sv-orphan')) === 'Bound');
    await waitFor('FailedScheduling event', async () => (await events('sv-orphan-pod')).includes('FailedScheduling: 0/1 nodes are available: 1 node(s) had volume node affinity conflict.'), 60_000);
    assert.equal(await phaseOf('pod', 'sv-orphan-pod'), 'Pending');
    await node.k('delete', 'pod', 'sv-orphan-pod');
    await node.k('delete', 'pvc', 'sv-orphan');
    await node.k('delete', 'pv', `${node.prefix}-orphan`);
  });

  it('hostPath type Directory on a missing path fails with the kubelet\'s message', async () => {
    const missing = `/tmp/${node.prefix}-missing`;
    const r = await node.kubectl(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: {name: sv-hostpath}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: bosun.test/busybox:1, command: [sleep, "3600"], volumeMounts: [{name: h, mountPath: /h}]}]
  volumes: [{name: h, hostPath: {path: ${missing}, type: Directory}}]
`,
    });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('FailedMount event', async () => (await events('sv-hostpath')).includes(`FailedMount: MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${missing} is not a directory`), 60_000);
    assert.equal(existsSync(missing), false);
    await node.k('delete', 'pod', 'sv-hostpath');
  });
});
