/**
 * The node authorizer: the pure decision table, upstream's Forbidden message, and the whole path
 * against an in-process API server with node client certificates from the cluster CA: a node writes
 * its own Node, Lease and bound pods' status, and gets 403 for another node's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { issueClientCertificate } from '../pki/pki.js';
import type { RequestAttributes } from './attributes.js';
import { forbidden } from './forbidden.js';
import { authorizeNode, nodeNameOf } from './node-authorizer.js';

const user = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const attrs = (a: Partial<RequestAttributes>): RequestAttributes => ({ user, verb: 'get', group: '', version: 'v1', resource: 'pods', ...a });
const bound: Record<string, string> = { mine: 'n1', theirs: 'n2' };
const deps = {
  podNodeName: async (_ns: string, name: string) => (name === 'pending' ? null : bound[name]),
  // Objects named 'used' are referenced by a pod of n1 (node-graph.ts answers this against the store).
  related: async (_node: string, _kind: string, _ns: string | undefined, name: string) => name === 'used',
};

test('nodeNameOf: only system:node:<name> in system:nodes is a node', () => {
  assert.equal(nodeNameOf(user), 'n1');
  assert.equal(nodeNameOf({ name: 'system:node:n1', groups: [] }), undefined);
  assert.equal(nodeNameOf({ name: 'alice', groups: ['system:nodes'] }), undefined);
  assert.equal(nodeNameOf({ name: 'system:node:', groups: ['system:nodes'] }), undefined);
});

test('decision table', async () => {
  const rows: [string, Partial<RequestAttributes>, boolean][] = [
    ['read nodes', { resource: 'nodes', verb: 'list' }, true],
    ['create a node (name checked at admission)', { resource: 'nodes', verb: 'create' }, true],
    ['patch own node', { resource: 'nodes', verb: 'patch', name: 'n1' }, true],
    ['patch own node status', { resource: 'nodes', verb: 'patch', name: 'n1', subresource: 'status' }, true],
    ['update another node status', { resource: 'nodes', verb: 'update', name: 'n2', subresource: 'status' }, false],
    ['delete another node', { resource: 'nodes', verb: 'delete', name: 'n2' }, false],
    ['deletecollection nodes', { resource: 'nodes', verb: 'deletecollection' }, false],
    ['proxy to a node', { resource: 'nodes', verb: 'get', name: 'n1', subresource: 'proxy' }, false],
    ['own CSINode get', { group: 'storage.k8s.io', resource: 'csinodes', name: 'n1', verb: 'get' }, true],
    ['own CSINode update', { group: 'storage.k8s.io', resource: 'csinodes', name: 'n1', verb: 'update' }, true],
    ['CSINode create (name checked by NodeRestriction)', { group: 'storage.k8s.io', resource: 'csinodes', verb: 'create' }, true],
    ['other CSINode get', { group: 'storage.k8s.io', resource: 'csinodes', name: 'n2', verb: 'get' }, false],
    ['CSINode list', { group: 'storage.k8s.io', resource: 'csinodes', verb: 'list' }, false],
    ['own lease update', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1', verb: 'update' }, true],
    ['own lease get', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1', verb: 'get' }, true],
    ['lease create', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', verb: 'create' }, true],
    ['other lease update', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n2', verb: 'update' }, false],
    ['lease elsewhere', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'n1', verb: 'update' }, false],
    ['list leases', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', verb: 'list' }, false],
    ['watch all pods', { verb: 'watch' }, false],
    ['list pods of a namespace', { verb: 'list', namespace: 'default' }, false],
    ['watch own pods', { verb: 'watch', fieldSelector: 'spec.nodeName=n1' }, true],
    ['list own pods by ==', { verb: 'list', fieldSelector: 'status.phase!=Failed,spec.nodeName==n1' }, true],
    ['watch another node\'s pods', { verb: 'watch', fieldSelector: 'spec.nodeName=n2' }, false],
    ['list pods not on n1', { verb: 'list', fieldSelector: 'spec.nodeName!=n1' }, false],
    ['get own pod', { verb: 'get', namespace: 'default', name: 'mine' }, true],
    ['get another node\'s pod', { verb: 'get', namespace: 'default', name: 'theirs' }, false],
    ['get a missing pod', { verb: 'get', namespace: 'default', name: 'gone' }, false],
    ['create a pod', { verb: 'create', namespace: 'default' }, false],
    ['patch a pod spec', { verb: 'patch', namespace: 'default', name: 'mine' }, false],
    ['status of own pod', { verb: 'patch', namespace: 'default', name: 'mine', subresource: 'status' }, true],
    ['status of other node pod', { verb: 'update', namespace: 'default', name: 'theirs', subresource: 'status' }, false],
    ['status of unscheduled pod', { verb: 'patch', namespace: 'default', name: 'pending', subresource: 'status' }, false],
    ['status of missing pod (404 follows)', { verb: 'patch', namespace: 'default', name: 'gone', subresource: 'status' }, true],
    ['delete own pod', { verb: 'delete', namespace: 'default', name: 'mine' }, true],
    ['delete other pod', { verb: 'delete', namespace: 'default', name: 'theirs' }, false],
    ['evict own pod', { verb: 'create', namespace: 'default', name: 'mine', subresource: 'eviction' }, true],
    ['evict other pod', { verb: 'create', namespace: 'default', name: 'theirs', subresource: 'eviction' }, false],
    ['exec in a pod', { verb: 'create', namespace: 'default', name: 'mine', subresource: 'exec' }, false],
    ['create events', { resource: 'events', verb: 'create', namespace: 'default' }, true],
    ['patch events.k8s.io events', { group: 'events.k8s.io', resource: 'events', verb: 'patch', namespace: 'default', name: 'e' }, true],
    ['delete events', { resource: 'events', verb: 'delete', namespace: 'default', name: 'e' }, false],
    ['list secrets', { resource: 'secrets', verb: 'list', namespace: 'default' }, false],
    ['list secrets everywhere', { resource: 'secrets', verb: 'list' }, false],
    ['get a secret of its pods', { resource: 'secrets', verb: 'get', namespace: 'default', name: 'used' }, true],
    ['watch one secret of its pods', { resource: 'secrets', verb: 'watch', namespace: 'default', name: 'used' }, true],
    ['get another secret', { resource: 'secrets', verb: 'get', namespace: 'default', name: 'other' }, false],
    ['get a configmap of its pods', { resource: 'configmaps', verb: 'get', namespace: 'default', name: 'used' }, true],
    ['watch all configmaps', { resource: 'configmaps', verb: 'watch', namespace: 'default' }, false],
    ['get a PVC of its pods', { resource: 'persistentvolumeclaims', verb: 'get', namespace: 'default', name: 'used' }, true],
    ['list PVCs', { resource: 'persistentvolumeclaims', verb: 'list', namespace: 'default', name: 'used' }, false],
    ['get a PV of its pods', { resource: 'persistentvolumes', verb: 'get', name: 'used' }, true],
    ['get another PV', { resource: 'persistentvolumes', verb: 'get', name: 'other' }, false],
    ['token for a service account of its pods', { resource: 'serviceaccounts', verb: 'create', namespace: 'default', name: 'used', subresource: 'token' }, true],
    ['token for another service account', { resource: 'serviceaccounts', verb: 'create', namespace: 'default', name: 'other', subresource: 'token' }, false],
    ['read service accounts', { resource: 'serviceaccounts', verb: 'get', namespace: 'default', name: 'used' }, false],
    ['write secrets', { resource: 'secrets', verb: 'create', namespace: 'default' }, false],
    ['read endpointslices', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'watch' }, true],
    ['read services', { resource: 'services', verb: 'get', namespace: 'default', name: 's' }, true],
    ['read deployments', { group: 'apps', resource: 'deployments', verb: 'list' }, false],
    ['write namespaces', { resource: 'namespaces', verb: 'delete', name: 'default' }, false],
    ['create a DNS slice (content checked at admission)', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'create', namespace: 'kube-system' }, true],
    ['update own DNS slice', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'update', namespace: 'kube-system', name: 'kube-dns-n1' }, true],
    ['delete own DNS slice', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'delete', namespace: 'kube-system', name: 'kube-dns-n1' }, true],
    ['update another DNS slice', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'update', namespace: 'kube-system', name: 'kube-dns-n2' }, false],
    ['create slices elsewhere', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'create', namespace: 'default' }, false],
    ['delete a service slice', { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'delete', namespace: 'kube-system', name: 'kube-dns-abcde' }, false],
    ['create a TokenReview (webhook authentication)', { group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create' }, true],
    ['create a SubjectAccessReview (webhook authorization)', { group: 'authorization.k8s.io', resource: 'subjectaccessreviews', verb: 'create' }, true],
    ['list TokenReviews', { group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'list' }, false],
    // Upstream's NodeRules (bootstrappolicy/policy.go): create, get, list, watch CSRs, nothing more.
    ['create a CSR', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create' }, true],
    ['get a CSR', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'get', name: 'csr-1' }, true],
    ['list CSRs', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'list' }, true],
    ['watch CSRs', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'watch' }, true],
    ['approve a CSR', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'update', name: 'csr-1', subresource: 'approval' }, false],
    ['delete a CSR', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'delete', name: 'csr-1' }, false],
  ];
  for (const [what, a, want] of rows) {
    const d = await authorizeNode('n1', attrs(a), deps);
    assert.equal(d.allowed, want, what);
  }
});

test('the Forbidden status reads as upstream', () => {
  const a = attrs({ resource: 'nodes', verb: 'patch', name: 'n2' });
  const e = forbidden(a, "node 'n1' cannot modify node 'n2'");
  assert.equal(e.status.code, 403);
  assert.equal(e.status.reason, 'Forbidden');
  assert.equal(e.message, 'nodes "n2" is forbidden: User "system:node:n1" cannot patch resource "nodes" in API group "" at the cluster scope: node \'n1\' cannot modify node \'n2\'');
  assert.deepEqual(e.status.details, { name: 'n2', group: '', kind: 'nodes' });
  const l = forbidden(attrs({ group: 'coordination.k8s.io', resource: 'leases', verb: 'list', namespace: 'kube-node-lease' }));
  assert.equal(l.message, 'leases.coordination.k8s.io is forbidden: User "system:node:n1" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease"');
  const s = forbidden(attrs({ verb: 'patch', namespace: 'default', name: 'p', subresource: 'status' }), 'x');
  assert.match(s.message, /^pods "p" is forbidden: User "system:node:n1" cannot patch resource "pods\/status" in API group "" in the namespace "default": x$/);
});

// ---------------------------------------------------------------------------------------------

let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
let n1: KubeClient;
let n2: KubeClient;
const P = `nauthz-${process.pid}-${Date.now().toString(36)}`;
const N1 = `${P}-n1`;
const N2 = `${P}-n2`;

function nodeClient(name: string): KubeClient {
  const pair = issueClientCertificate(ts.server.pki, `system:node:${name}`, ['system:nodes']);
  return new KubeClient({ server: ts.url, ca: ts.server.pki.ca.cert, cert: pair.cert, key: pair.key });
}

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof StatusError) return err.code;
    throw err;
  }
}

const nodeObj = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) as KubeObject;
const leaseObj = (name: string) => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' },
  spec: { holderIdentity: name, leaseDurationSeconds: 40 },
}) as KubeObject;
const podObj = (name: string, nodeName: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
}) as KubeObject;

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  n1 = nodeClient(N1);
  n2 = nodeClient(N2);
});
after(async () => {
  for (const c of [admin, n1, n2]) c?.close();
  await ts?.stop();
});

test('a node creates and writes its own Node and Lease; another node cannot', async () => {
  assert.equal(await code(n1.nodes().create(nodeObj(N1))), 200);
  assert.equal(await code(n2.nodes().create(nodeObj(N2))), 200);
  assert.equal(await code(n1.nodes().patch(N1, 'merge', { metadata: { labels: { own: 'yes' } } })), 200);
  assert.equal(await code(n1.nodes().patchStatus(N1, 'merge', { status: { conditions: [{ type: 'Ready', status: 'True' }] } })), 200);

  // Upstream's message, word for word.
  await assert.rejects(n1.nodes().patch(N2, 'merge', { metadata: { labels: { evil: 'yes' } } }), (err: StatusError) => {
    assert.equal(err.code, 403);
    assert.equal(err.status.reason, 'Forbidden');
    assert.equal(err.message, `nodes "${N2}" is forbidden: User "system:node:${N1}" cannot patch resource "nodes" in API group "" at the cluster scope: node '${N1}' cannot modify node '${N2}'`);
    return true;
  });
  assert.equal(await code(n1.nodes().patchStatus(N2, 'merge', { status: { conditions: [{ type: 'Ready', status: 'False' }] } })), 403);
  assert.equal(await code(n1.nodes().delete(N2)), 403);
  // Creating a Node under another name is refused at admission (the name is in the body).
  assert.equal(await code(n1.nodes().create(nodeObj(`${P}-n3`))), 403);
  assert.equal((await admin.nodes().get(N2)).metadata.labels?.evil, undefined);

  assert.equal(await code(n1.leases('kube-node-lease').create(leaseObj(N1))), 200);
  assert.equal(await code(n2.leases('kube-node-lease').create(leaseObj(N2))), 200);
  assert.equal(await code(n1.leases('kube-node-lease').create(leaseObj(`${P}-n3`))), 403);
  const own = await n1.leases('kube-node-lease').get(N1);
  assert.equal(await code(n1.leases('kube-node-lease').update(own)), 200);
  const theirs = await admin.leases('kube-node-lease').get(N2);
  assert.equal(await code(n1.leases('kube-node-lease').get(N2)), 403);
  assert.equal(await code(n1.leases('kube-node-lease').update(theirs)), 403);
  assert.equal(await code(n1.leases('kube-node-lease').delete(N2)), 403);
});

test('a node writes status of and deletes only pods bound to it', async () => {
  await admin.pods('default').create(podObj(`${P}-p1`, N1));
  await admin.pods('default').create(podObj(`${P}-p2`, N2));
  await admin.pods('default').create(podObj(`${P}-p3`, N1));
  const status = { status: { phase: 'Running' } };
  assert.equal(await code(n1.pods('default').patchStatus(`${P}-p1`, 'merge', status)), 200);
  assert.equal(await code(n1.pods('default').patchStatus(`${P}-p2`, 'merge', status)), 403);
  assert.equal((await admin.pods('default').get(`${P}-p2`) as { status?: { phase?: string } }).status?.phase, 'Pending');
  assert.equal(await code(n1.pods('default').patch(`${P}-p1`, 'merge', { metadata: { labels: { x: 'y' } } })), 403);
  assert.equal(await code(n1.pods('default').delete(`${P}-p2`, { gracePeriodSeconds: 0 })), 403);
  assert.equal(await code(n1.pods('default').delete(`${P}-p3`, { gracePeriodSeconds: 0 })), 200);
  assert.equal(await code(n1.pods('default').create(podObj(`${P}-p4`, N1))), 403);
  // Reads an agent needs.
  assert.equal((await n1.pods().list({ fieldSelector: `spec.nodeName=${N1}` })).items.length, 1);
  assert.equal(await code(n1.list({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' }, undefined)), 200);
  assert.equal(await code(n1.list({ group: 'apps', version: 'v1', resource: 'deployments' }, undefined)), 403);
});

test('admins are not limited', async () => {
  assert.equal(await code(admin.nodes().patch(N2, 'merge', { metadata: { labels: { admin: 'yes' } } })), 200);
  assert.equal(await code(admin.pods('default').patchStatus(`${P}-p2`, 'merge', { status: { phase: 'Running' } })), 200);
});

test('a node publishes only its own DNS EndpointSlice, with endpoints on itself', async () => {
  const slices = (c: KubeClient) => c.resource({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice' }, 'kube-system');
  const slice = (name: string, nodeName: string, service = 'kube-dns') => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: 'kube-system', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], nodeName, conditions: { ready: true } }],
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
  }) as KubeObject;
  assert.equal(await code(slices(n1).create(slice(`kube-dns-${N1}`, N1))), 200);
  const own = await slices(n1).get(`kube-dns-${N1}`);
  assert.equal(await code(slices(n1).update(own)), 200);
  assert.equal(await code(slices(n1).create(slice(`kube-dns-${N2}`, N2))), 403, 'another node\'s slice');
  assert.equal(await code(slices(n1).create(slice(`kube-dns-${N1}x`, N1))), 403, 'another name');
  assert.equal(await code(slices(n2).create(slice(`kube-dns-${N2}`, N1))), 403, 'endpoints on another node');
  assert.equal(await code(slices(n2).create(slice(`kube-dns-${N2}`, N2, 'web'))), 403, 'another Service');
  assert.equal(await code(slices(n2).create(slice(`kube-dns-${N2}`, N2))), 200);
  assert.equal(await code(slices(n2).update({ ...own, endpoints: [{ addresses: ['10.9.9.9'], nodeName: N2 }] } as KubeObject)), 403, 'update of another node\'s slice');
  assert.equal(await code(slices(n1).update({ ...own, endpoints: [{ addresses: ['10.9.9.9'], nodeName: N2 }] } as KubeObject)), 403, 'own slice pointing at another node');
  assert.equal(await code(slices(n1).delete(`kube-dns-${N2}`)), 403);
  assert.equal(await code(slices(n1).delete(`kube-dns-${N1}`)), 200);
});
