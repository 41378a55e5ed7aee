// The service proxy and the cluster DNS each with its own identity, as k3s hands its agents
// client-kube-proxy.crt: the certificates a node gets at join (node-credentials.ts) authenticate as
// system:kube-proxy and system:serviceaccount:kube-system:kube-dns, which the bootstrap policy binds
// to system:node-proxier and system:kube-dns: they read what the proxy and DNS read, and nothing else.
// A node that runs the built-in Ingress controller asks for a third, kube-system/bosun-ingress
// (system:bosun-ingress, ingress-nginx's controller role narrowed): it writes Ingress status, which
// neither the node identity nor any other component may, as upstream's node authorizer refuses it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueNodeCredentials } from '../apiserver/join/node-credentials.js';
import { KubeClient } from '../client/index.js';
import { resources, type ResourceRef } from '../client/resource-ref.js';
import { startTestServer } from '../testing/test-cluster.js';
import { refused } from '../testing/user-client.js';

const selfSubjectReviews: ResourceRef = { group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', namespaced: false, kind: 'SelfSubjectReview' };

interface UserInfo { username?: string; groups?: string[] }

describe('node component identities (proxy, DNS, ingress)', () => {
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  let proxy: KubeClient;
  let dns: KubeClient;

  before(async () => {
    srv = await startTestServer();
    const creds = issueNodeCredentials(srv.server.pki, { nodeName: 'r2-node', password: 'x'.repeat(16) });
    proxy = new KubeClient({ server: srv.url, ca: creds.caCert, ...creds.proxy });
    dns = new KubeClient({ server: srv.url, ca: creds.caCert, ...creds.dns });
  });
  after(async () => {
    proxy.close();
    dns.close();
    await srv.stop();
  });

  const whoami = async (c: KubeClient): Promise<UserInfo> => {
    const r = await c.create(selfSubjectReviews, undefined, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
    return (r as unknown as { status: { userInfo: UserInfo } }).status.userInfo;
  };

  test('whoami names each component, not the node', async () => {
    const p = await whoami(proxy);
    assert.equal(p.username, 'system:kube-proxy');
    assert.deepEqual(p.groups, ['system:authenticated']);
    const d = await whoami(dns);
    assert.equal(d.username, 'system:serviceaccount:kube-system:kube-dns');
    assert.deepEqual(d.groups, ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']);
  });

  test('the proxy (and the NetworkPolicy enforcer beside it) reads Services, EndpointSlices, Nodes, Pods, Namespaces and NetworkPolicies and is refused anything else', async () => {
    // Allowed reads simply resolve (a refusal throws).
    await proxy.list(resources.services, undefined);
    await proxy.list(resources.endpointslices, undefined);
    await proxy.list(resources.nodes, undefined, { fieldSelector: 'metadata.name=r2-node' });
    for (const r of [resources.pods, resources.namespaces, resources.networkpolicies]) await proxy.list(r, undefined);
    assert.equal((await refused(proxy.list(resources.secrets, 'kube-system'))).code, 403);
    assert.equal((await refused(proxy.list(resources.configmaps, undefined))).code, 403);
    assert.equal((await refused(proxy.create(resources.networkpolicies, 'default', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'r2-np' }, spec: { podSelector: {} } }))).code, 403);
    assert.equal((await refused(proxy.create(resources.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'r2-svc' }, spec: { ports: [{ port: 80 }] } }))).code, 403);
  });

  test('the ingress identity is issued only when asked for; it reads Ingresses, classes, Services, slices and Secrets and writes only Ingress status and classes', async () => {
    assert.equal(issueNodeCredentials(srv.server.pki, { nodeName: 'r2-node', password: 'x'.repeat(16) }).ingress, undefined);
    const creds = issueNodeCredentials(srv.server.pki, { nodeName: 'r2-node', password: 'x'.repeat(16), ingress: true });
    const ingress = new KubeClient({ server: srv.url, ca: creds.caCert, ...creds.ingress! });
    const node = new KubeClient({ server: srv.url, ca: creds.caCert, ...creds.client });
    const admin = KubeClient.fromKubeconfig(srv.kubeconfig);
    try {
      assert.equal((await whoami(ingress)).username, 'system:serviceaccount:kube-system:bosun-ingress');
      for (const r of [resources.ingresses, resources.ingressclasses, resources.services, resources.endpointslices, resources.secrets]) await ingress.list(r, undefined);
      const ing = await admin.create(resources.ingresses, 'default', {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'r2-ing' },
        spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
      });
      const withStatus = { ...ing, status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } } };
      // As upstream: the node identity may not write an Ingress's status.
      assert.equal((await refused(node.updateStatus(resources.ingresses, 'default', withStatus))).code, 403);
      const written = await ingress.updateStatus(resources.ingresses, 'default', withStatus);
      assert.deepEqual(written.status, { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } });
      assert.equal((await refused(ingress.update(resources.ingresses, 'default', { ...written, spec: { defaultBackend: { service: { name: 'other', port: { number: 80 } } } } }))).code, 403);
      assert.equal((await refused(ingress.create(resources.ingresses, 'default', { ...ing, metadata: { name: 'r2-ing2' } }))).code, 403);
      assert.equal((await refused(ingress.list(resources.pods, undefined))).code, 403);
      assert.equal((await refused(ingress.list(resources.configmaps, 'kube-system'))).code, 403);
    } finally {
      for (const c of [ingress, node, admin]) c.close();
    }
  });

  test('DNS reads what it answers from and may not write EndpointSlices (the node publishes its slice)', async () => {
    await dns.list(resources.services, undefined);
    await dns.list(resources.endpointslices, undefined);
    await dns.list(resources.nodes, undefined);
    assert.equal((await refused(dns.list(resources.secrets, 'kube-system'))).code, 403);
    const slice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kube-dns-r2-node', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.9'] }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    };
    assert.equal((await refused(dns.create(resources.endpointslices, 'kube-system', slice))).code, 403);
    assert.equal((await refused(dns.delete(resources.endpointslices, 'kube-system', 'kube-dns'))).code, 403);
  });
});
