/**
 * The agent's CSINode, written with a node's own credential through the real API server (in
 * process, a node client certificate from the cluster CA): created with no drivers and owned by its
 * Node, as a kubelet's nodeinfomanager does; re-owned when the Node is recreated; another node's
 * CSINode refused (upstream's node authorizer authorizeCSINode and NodeRestriction).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node } from '../../api/kinds/index.js';
import type { CSINode } from '../../api/kinds/storage/csi-node.js';
import type { KubeObject } from '../../api/meta.js';
import type { ApiServer } from '../../apiserver/server.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { refused, userClient } from '../../testing/user-client.js';
import { publishCsiNode } from './csi-node.js';

let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
let self: KubeClient;
const N = `csin-${process.pid}-${Date.now().toString(36)}`;
const nodeBody = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) as KubeObject;

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  self = userClient(ts, `system:node:${N}`, ['system:nodes']);
});
after(async () => {
  for (const c of [admin, self]) c?.close();
  await ts?.stop();
});

test('a node publishes its own CSINode with no drivers, owned by its Node, and cannot touch another node\'s', async () => {
  const node = await admin.nodes<Node>().create(nodeBody(N) as Node);
  const csi = await publishCsiNode(self, node);
  assert.deepEqual(csi.spec.drivers, []);
  assert.deepEqual(csi.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: N, uid: node.metadata.uid }]);

  // The Node recreated under the same name: the CSINode is given the new owner.
  await admin.nodes().delete(N);
  const again = await admin.nodes<Node>().create(nodeBody(N) as Node);
  const reowned = await publishCsiNode(self, again);
  assert.deepEqual(reowned.metadata.ownerReferences?.map((r) => r.uid), [again.metadata.uid]);

  const other = `${N}-other`;
  const created = await refused(self.resource<CSINode>(resources.csinodes).create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: other }, spec: { drivers: [] } } as CSINode));
  assert.equal(created.status.code, 403);
  assert.match(created.status.message ?? '', /is not allowed to modify CSINode/);
  await admin.resource<CSINode>(resources.csinodes).create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: other }, spec: { drivers: [] } } as CSINode);
  const read = await refused(self.resource<CSINode>(resources.csinodes).get(other));
  assert.equal(read.status.code, 403);
  assert.match(read.status.message ?? '', /can only access CSINode with the same name as the requesting node/);
});
