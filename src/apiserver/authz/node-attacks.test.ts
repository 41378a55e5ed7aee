/**
 * Attacks by a node credential, through the real API (an in-process API server, node client
 * certificates from the cluster CA), each refused with upstream's status and message and nothing
 * changed: reading a Secret or ConfigMap that only another node's pod uses (upstream's node
 * authorizer graph, plugin/pkg/auth/authorizer/node), listing all secrets, giving itself a
 * node-restriction label or new taints, relabelling a pod through its status, evicting another
 * node's pod (NodeRestriction, plugin/pkg/admission/noderestriction/admission.go).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { eventually } from '../../testing/eventually.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { refused, userClient } from '../../testing/user-client.js';

let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
let a: KubeClient;
let b: KubeClient;
const P = `nattack-${process.pid}-${Date.now().toString(36)}`;
const A = `${P}-a`;
const B = `${P}-b`;
const NS = 'default';

const nodeClient = (name: string): KubeClient => userClient(ts, `system:node:${name}`, ['system:nodes']);


const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, data: { k: Buffer.from('s3cret').toString('base64') } }) as KubeObject;
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { k: 'v' } }) as KubeObject;
/** A pod on `node` using secret `s` as a volume and configmap `cm` through env. */
const pod = (name: string, node: string, s: string, cm: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: P } },
  spec: {
    nodeName: node,
    containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: cm, key: 'k' } } }] }],
    volumes: [{ name: 's', secret: { secretName: s } }],
  },
}) as KubeObject;

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  a = nodeClient(A);
  b = nodeClient(B);
  for (const n of [A, B]) await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { 'kubernetes.io/hostname': n } } } as KubeObject);
  for (const n of ['sa', 'sb']) await admin.secrets(NS).create(secret(`${P}-${n}`));
  for (const n of ['ca', 'cb']) await admin.configMaps(NS).create(configMap(`${P}-${n}`));
  await admin.pods(NS).create(pod(`${P}-pa`, A, `${P}-sa`, `${P}-ca`));
  await admin.pods(NS).create(pod(`${P}-pb`, B, `${P}-sb`, `${P}-cb`));
});
after(async () => {
  for (const c of [admin, a, b]) c?.close();
  await ts?.stop();
});

test("node A cannot read a Secret or ConfigMap used only by a pod on node B (upstream's node authorizer)", async () => {
  const e = await refused(a.secrets(NS).get(`${P}-sb`));
  assert.equal(e.code, 403);
  assert.equal(e.status.reason, 'Forbidden');
  assert.equal(e.message, `secrets "${P}-sb" is forbidden: User "system:node:${A}" cannot get resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node '${A}' and this object`);
  assert.equal((await refused(a.configMaps(NS).get(`${P}-cb`))).code, 403);
  // What its own pod uses, it reads; so does B.
  assert.equal((await a.secrets(NS).get(`${P}-sa`)).metadata.name, `${P}-sa`);
  assert.equal((await a.configMaps(NS).get(`${P}-ca`)).metadata.name, `${P}-ca`);
  assert.equal((await b.secrets(NS).get(`${P}-sb`)).metadata.name, `${P}-sb`);
  // A Secret no pod uses is nobody's.
  await admin.secrets(NS).create(secret(`${P}-loose`));
  assert.equal((await refused(a.secrets(NS).get(`${P}-loose`))).code, 403);
});

test("node A cannot read node B's pods (their env and commands), only list its own", async () => {
  const e = await refused(a.pods(NS).get(`${P}-pb`));
  assert.equal(e.message, `pods "${P}-pb" is forbidden: User "system:node:${A}" cannot get resource "pods" in API group "" in the namespace "${NS}": no relationship found between node '${A}' and this object`);
  const all = await refused(a.pods().list());
  assert.match(all.message, /cannot list resource "pods" in API group "" at the cluster scope: can only list\/watch pods with spec.nodeName field selector$/);
  assert.equal((await refused(a.pods().list({ fieldSelector: `spec.nodeName=${B}` }))).code, 403);
  assert.deepEqual((await a.pods().list({ fieldSelector: `spec.nodeName=${A}` })).items.map((p) => p.metadata.name), [`${P}-pa`]);
  assert.equal((await a.pods(NS).get(`${P}-pa`)).metadata.name, `${P}-pa`);
});

test('node A cannot list or watch secrets wholesale; one object by name it may (as the kubelet watches)', async () => {
  const list = await refused(a.secrets(NS).list());
  assert.equal(list.code, 403);
  assert.equal(list.message, `secrets is forbidden: User "system:node:${A}" cannot list resource "secrets" in API group "" in the namespace "${NS}": No Object name found`);
  const all = await refused(a.list(resources.secrets, undefined));
  assert.match(all.message, /cannot list resource "secrets" in API group "" at the cluster scope: can only read namespaced object of this type$/);
  const byName = await a.secrets(NS).list({ fieldSelector: `metadata.name=${P}-sa` });
  assert.deepEqual(byName.items.map((s) => s.metadata.name), [`${P}-sa`]);
  const other = await refused(a.secrets(NS).list({ fieldSelector: `metadata.name=${P}-sb` }));
  assert.equal(other.message, `secrets "${P}-sb" is forbidden: User "system:node:${A}" cannot list resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node '${A}' and this object`);
  assert.equal((await refused(a.secrets(NS).watch({ fieldSelector: `metadata.name=${P}-sb` }))).code, 403);
  const w = await a.secrets(NS).watch({ fieldSelector: `metadata.name=${P}-sa` });
  w.stop();
  assert.equal((await refused(a.secrets(NS).create(secret(`${P}-mine`)))).code, 403);
});

test('access follows the pod: once the pod on A is gone, A reads its secret no more', async () => {
  await admin.secrets(NS).create(secret(`${P}-tmp`));
  await admin.pods(NS).create(pod(`${P}-ptmp`, A, `${P}-tmp`, `${P}-ca`));
  assert.equal((await a.secrets(NS).get(`${P}-tmp`)).metadata.name, `${P}-tmp`);
  await admin.pods(NS).delete(`${P}-ptmp`, { gracePeriodSeconds: 0 });
  // As upstream's graph, the authorizer learns of the deletion from a watch: at once, but not synchronously.
  await eventually(async () => (await a.secrets(NS).get(`${P}-tmp`).then(() => 200, (e: StatusError) => e.code)) === 403, 'the secret refused');
});

test('node A cannot patch node B, nor give itself node-restriction labels or new taints', async () => {
  assert.equal((await refused(a.nodes().patch(B, 'merge', { metadata: { labels: { evil: 'yes' } } }))).code, 403);
  const lease = await refused(a.leases('kube-node-lease').patch(B, 'merge', { spec: { holderIdentity: A } }));
  assert.equal(lease.code, 403);
  const label = await refused(a.nodes().patch(A, 'merge', { metadata: { labels: { 'node-restriction.kubernetes.io/pci': 'true' } } }));
  assert.equal(label.code, 403);
  assert.equal(label.message, `nodes "${A}" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pci`);
  const role = await refused(a.nodes().patch(A, 'merge', { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } }));
  assert.equal(role.message, `nodes "${A}" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane`);
  // Through the status subresource too, and by removing a label an admin set.
  assert.equal((await refused(a.nodes().patchStatus(A, 'merge', { metadata: { labels: { 'node-restriction.kubernetes.io/x': '1' } } }))).code, 403);
  await admin.nodes().patch(A, 'merge', { metadata: { labels: { 'node-restriction.kubernetes.io/zone': 'secure' } } });
  assert.equal((await refused(a.nodes().patch(A, 'json', [{ op: 'remove', path: '/metadata/labels/node-restriction.kubernetes.io~1zone' }]))).code, 403);
  const taint = await refused(a.nodes().patch(A, 'merge', { spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }));
  assert.equal(taint.message, `nodes "${A}" is forbidden: node "${A}" is not allowed to modify taints`);
  // Labels a kubelet may set, it sets.
  await a.nodes().patch(A, 'merge', { metadata: { labels: { 'node.kubernetes.io/instance-type': 'small', 'example.com/team': 'x', 'topology.kubernetes.io/zone': 'z1' } } });
  const now = await admin.nodes().get(A);
  assert.equal(now.metadata.labels?.['node-restriction.kubernetes.io/zone'], 'secure');
  assert.equal(now.metadata.labels?.['node-restriction.kubernetes.io/pci'], undefined);
  assert.equal(now.metadata.labels?.['example.com/team'], 'x');
  assert.equal((now as { spec?: { taints?: unknown[] } }).spec?.taints, undefined);
  assert.equal((await admin.nodes().get(B)).metadata.labels?.evil, undefined);
});

test('a node cannot register with forbidden labels', async () => {
  const c = nodeClient(`${P}-c`);
  try {
    const e = await refused(c.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-c`, labels: { 'node-restriction.kubernetes.io/a': '1', 'kubernetes.io/os': 'linux' } } } as KubeObject));
    assert.equal(e.message, `nodes "${P}-c" is forbidden: node "${P}-c" is not allowed to set the following labels: node-restriction.kubernetes.io/a`);
    assert.equal((await refused(admin.nodes().get(`${P}-c`))).code, 404);
  } finally {
    c.close();
  }
});

test("node A cannot evict node B's pods nor relabel its own through pod status", async () => {
  const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } });
  const e = await refused(a.createSubresource(resources.pods, NS, `${P}-pb`, 'eviction', eviction(`${P}-pb`)));
  assert.equal(e.code, 403);
  assert.match(e.message, new RegExp(`node ${A} can only evict pods with spec.nodeName set to itself$`));
  assert.equal((await admin.pods(NS).get(`${P}-pb`)).metadata.deletionTimestamp, undefined);
  const relabel = await refused(a.pods(NS).patchStatus(`${P}-pa`, 'merge', { metadata: { labels: { app: 'other' } } }));
  assert.equal(relabel.message, `pods "${P}-pa" is forbidden: node "${A}" cannot update labels through pod status`);
  assert.equal((await admin.pods(NS).get(`${P}-pa`)).metadata.labels?.app, P);
  // Its own pod it may evict (the kubelet's eviction manager does).
  await a.createSubresource(resources.pods, NS, `${P}-pa`, 'eviction', eviction(`${P}-pa`));
});
