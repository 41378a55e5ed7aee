/**
 * v1 ReplicationController (a legacy manifest) run by the ReplicaSet controller as upstream's
 * ReplicationManager, against an in-process API server and the real kubectl: the selector and labels
 * defaulted from the template, pods owned by the RC, a deleted pod replaced, `kubectl scale rc`,
 * and `kubectl get rc` columns. No kubelet runs (simulated: pods are only objects).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { replicationControllerKind } from './managed-kind.js';
import { addReplicaSetController } from './replicaset-controller.js';

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 50, retryErrors: true });

const activePods = async (client: KubeClient, ns: string) =>
  (await client.pods<Pod>(ns).list({ labelSelector: 'app=legacy' })).items.filter((p) => !p.metadata.deletionTimestamp);

// As the Kubernetes docs' replication.yaml: no selector, which defaults to the template's labels.
const manifest = `apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: legacy
    spec:
      containers:
      - name: nginx
        image: nginx
`;

test('ReplicationController: defaults from the template, keeps its replicas, replaces a deleted pod, scales with kubectl scale rc', async (t) => {
  const ns = `rc-test-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: (mgr) => addReplicaSetController(mgr, { kind: replicationControllerKind }) });
  t.after(() => env.stop());
  const { client } = env;
  const s = env.ts;

  await kubectlOk(s, ['-n', ns, 'apply', '-f', '-'], { input: manifest });
  const rc = JSON.parse(await kubectlOk(s, ['-n', ns, 'get', 'rc', 'legacy', '-o', 'json']));
  assert.deepEqual(rc.spec.selector, { app: 'legacy' }, 'SetDefaults_ReplicationController: selector from the template labels');
  assert.deepEqual(rc.metadata.labels, { app: 'legacy' });

  const pods = await eventually(async () => {
    const ps = await activePods(client, ns);
    return ps.length === 3 && ps;
  }, '3 pods');
  for (const p of pods) {
    const owner = p.metadata.ownerReferences?.[0];
    assert.deepEqual({ apiVersion: owner?.apiVersion, kind: owner?.kind, name: owner?.name, controller: owner?.controller }, { apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', controller: true });
  }

  await client.pods(ns).delete(pods[0]!.metadata.name!);
  await eventually(async () => {
    const ps = await activePods(client, ns);
    return ps.length === 3 && !ps.some((p) => p.metadata.name === pods[0]!.metadata.name);
  }, 'the deleted pod replaced');
  await eventually(async () => JSON.parse(await kubectlOk(s, ['-n', ns, 'get', 'rc', 'legacy', '-o', 'json'])).status.replicas === 3, 'status.replicas 3');
  const table = await kubectlOk(s, ['-n', ns, 'get', 'rc', '-o', 'wide']);
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m, table);
  assert.match(table, /^legacy\s+3\s+3\s+0\s+\S+\s+nginx\s+nginx\s+app=legacy$/m, table);

  assert.match(await kubectlOk(s, ['-n', ns, 'scale', 'rc', 'legacy', '--replicas=1']), /replicationcontroller\/legacy scaled/);
  await eventually(async () => (await activePods(client, ns)).length === 1, 'scaled down to 1');
  const scale = JSON.parse(await kubectlOk(s, ['-n', ns, 'get', '--raw', `/api/v1/namespaces/${ns}/replicationcontrollers/legacy/scale`]));
  assert.equal(scale.spec.replicas, 1);
  assert.equal(scale.status.selector, 'app=legacy');

  const bad = await s.kubectl(['-n', ns, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'bad' }, spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }) });
  assert.match(bad.stderr, /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/, bad.stderr);
});
