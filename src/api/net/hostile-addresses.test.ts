/**
 * Attack tests for issue 13 items 1 and 2, through the real API with the identity that would attack:
 * a node's client certificate (issued by the cluster CA, as join gives one) rewriting its own pod CIDR
 * or writing shell/nft syntax into addresses a ruleset is built from, and a user doing the same with
 * Service fields. Each is refused 422 naming the field with upstream's words (pkg/apis/core/validation
 * ValidateNodeUpdate, validatePodIPs; pkg/apis/discovery/validation ValidateEndpointSlice; ValidateService),
 * and the stored object is unchanged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../meta.js';
import { StatusError } from '../status.js';
import { KubeClient } from '../../client/kube-client.js';
import { issueClientCertificate } from '../../apiserver/pki/pki.js';
import type { ApiServer } from '../../apiserver/server.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const P = `hostile-${process.pid}-${Date.now().toString(36)}`;
const N1 = `${P}-n1`;
const N2 = `${P}-n2`;
let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
let n1: KubeClient;
let n2: KubeClient;

function nodeClient(name: string): KubeClient {
  const pair = issueClientCertificate(ts.server.pki, `system:node:${name}`, ['system:nodes']);
  return new KubeClient({ server: ts.url, ca: ts.server.pki.ca.cert, cert: pair.cert, key: pair.key });
}

/** The call fails 422 Invalid, with a cause on `field` whose message contains `detail`. */
async function refused(p: Promise<unknown>, field: string, detail: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 422, err.message);
    assert.equal(err.status.reason, 'Invalid');
    const causes = err.status.details?.causes ?? [];
    assert.ok(causes.some((c) => c.field === field && c.message?.includes(detail)), `${field}: ${detail} in ${JSON.stringify(causes)}`);
    return true;
  });
}

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  n1 = nodeClient(N1);
  n2 = nodeClient(N2);
  await n1.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: N1 } } as KubeObject);
  await n2.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: N2 } } as KubeObject);
  // The node IPAM controller's assignment (an admin-level controller credential).
  await admin.nodes().patch(N1, 'merge', { spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] } });
});
after(async () => {
  for (const c of [admin, n1, n2]) c?.close();
  await ts?.stop();
});

test('a node cannot re-point its assigned pod CIDR at 0.0.0.0/0 (ValidateNodeUpdate)', async () => {
  const msg = 'Forbidden: node updates may not change podCIDR except from "" to valid';
  // podCIDR alone: v1 conversion makes podCIDR authoritative, so this changes podCIDRs and is refused.
  await refused(n1.nodes().patch(N1, 'merge', { spec: { podCIDR: '0.0.0.0/0' } }), 'spec.podCIDRs', msg);
  await refused(n1.nodes().patch(N1, 'merge', { spec: { podCIDR: '0.0.0.0/0', podCIDRs: ['0.0.0.0/0'] } }), 'spec.podCIDRs', msg);
  // podCIDRs alone against a stored podCIDR: podCIDR wins the conversion, so nothing changes.
  await n1.nodes().patch(N1, 'json', [{ op: 'replace', path: '/spec/podCIDRs', value: ['10.42.0.0/16'] }]);
  await refused(n1.nodes().patch(N1, 'merge', { spec: { podCIDR: null, podCIDRs: null } }), 'spec.podCIDRs', msg);
  const node = await admin.nodes().get(N1) as { spec?: { podCIDR?: string; podCIDRs?: string[] } };
  assert.equal(node.spec?.podCIDR, '10.42.1.0/24');
  assert.deepEqual(node.spec?.podCIDRs, ['10.42.1.0/24']);
  // Even the admin cannot move an assigned CIDR (upstream: delete and re-register the node).
  await refused(admin.nodes().patch(N1, 'merge', { spec: { podCIDR: '10.42.9.0/24' } }), 'spec.podCIDRs', msg);
});

test('pod CIDRs must be CIDRs, one per family (ValidateNode)', async () => {
  await refused(n2.nodes().patch(N2, 'merge', { spec: { podCIDR: '10.42.2.0/24; flush ruleset' } }), 'spec.podCIDRs[0]', 'must be valid CIDR');
  await refused(n2.nodes().patch(N2, 'merge', { spec: { podCIDRs: ['10.42.2.0/24', '10.42.3.0/24'] } }), 'spec.podCIDRs', 'may specify no more than one CIDR for each IP family');
  await refused(admin.nodes().patch(N2, 'merge', { spec: { taints: [{ key: 'a b', effect: 'NoSchedule' }] } }), 'metadata.taints[0].key', 'name part must consist of');
  assert.equal((await admin.nodes().get(N2) as { spec?: { podCIDR?: string } }).spec?.podCIDR, undefined);
});

test('a node cannot write a non-address into its pod\'s status.podIP(s)', async () => {
  const name = `${P}-pod`;
  await admin.pods('default').create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: N1, containers: [{ name: 'c', image: 'busybox' }] },
  } as KubeObject);
  const ip = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
  await refused(n1.pods('default').patchStatus(name, 'merge', { status: { podIP: '1.2.3.4; flush ruleset' } }), 'status.podIPs[0]', ip);
  await refused(n1.pods('default').patchStatus(name, 'merge', { status: { podIPs: [{ ip: '10.0.0.1/0' }] } }), 'status.podIPs[0]', ip);
  await refused(n1.pods('default').patchStatus(name, 'merge', { status: { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] } }), 'status.podIPs', 'may specify no more than one IP for each IP family');
  await refused(n1.pods('default').patchStatus(name, 'merge', { status: { hostIP: '10.1.1.1', hostIPs: [{ ip: '10.1.1.1 ' }] } }), 'status.hostIPs[0]', ip);
  const pod = await admin.pods('default').get(name) as { status?: { podIP?: string } };
  assert.equal(pod.status?.podIP, undefined);
  // A real address still goes through, in any 1.32-valid spelling.
  await n1.pods('default').patchStatus(name, 'merge', { status: { podIP: '10.42.1.7', hostIP: '192.0.2.1', hostIPs: [{ ip: '192.0.2.1' }] } });
  assert.deepEqual((await admin.pods('default').get(name) as { status?: { podIPs?: unknown } }).status?.podIPs, [{ ip: '10.42.1.7' }]);
});

test('a node cannot publish a DNS EndpointSlice whose address is nft syntax', async () => {
  const slices = n1.resource({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice' }, 'kube-system');
  const slice = (address: string, addressType = 'IPv4') => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `kube-dns-${N1}`, namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
    addressType, endpoints: [{ addresses: [address], nodeName: N1, conditions: { ready: true } }],
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
  }) as KubeObject;
  await refused(slices.create(slice('1.2.3.4; flush ruleset')), 'endpoints[0].addresses[0]', 'must be a valid IPv4 address');
  await refused(slices.create(slice('10.0.0.1/0')), 'endpoints[0].addresses[0]', 'must be a valid IPv4 address');
  await refused(slices.create(slice('10.0.0.1', 'IPv6')), 'endpoints[0].addresses[0]', 'must be a valid IPv6 address');
  await slices.create(slice('10.0.0.1'));
  const stored = await slices.get(`kube-dns-${N1}`) as KubeObject & { endpoints: { addresses: string[] }[] };
  stored.endpoints[0]!.addresses = ['} ; table ip x {'];
  await refused(slices.update(stored), 'endpoints[0].addresses[0]', 'must be a valid IPv4 address');
  assert.deepEqual((await slices.get(`kube-dns-${N1}`) as unknown as { endpoints: { addresses: string[] }[] }).endpoints[0]!.addresses, ['10.0.0.1']);
});

test('Service fields that reach the ruleset are checked (ValidateService)', async () => {
  const svc = (spec: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: `${P}-svc`, namespace: 'default' },
    spec: { ports: [{ port: 80 }], ...spec },
  }) as KubeObject;
  const ip = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
  await refused(admin.services('default').create(svc({ externalIPs: ['10.0.0.1/0'] })), 'spec.externalIPs[0]', ip);
  await refused(admin.services('default').create(svc({ externalIPs: ['0.0.0.0'] })), 'spec.externalIPs[0]', 'may not be unspecified');
  await refused(admin.services('default').create(svc({ externalIPs: ['fe80::1%eth0'] })), 'spec.externalIPs[0]', ip);
  await refused(admin.services('default').create(svc({ clusterIP: '10.43.0.50 drop', clusterIPs: ['10.43.0.50 drop'] })), 'spec.clusterIP', ip);
  await refused(admin.services('default').create(svc({ type: 'LoadBalancer', loadBalancerIP: '1.2.3.4;' })), 'spec.loadBalancerIP', ip);
  await refused(admin.services('default').create(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })),
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'must be greater than 0 and less than 86400');
  const created = await admin.services('default').create(svc({ type: 'LoadBalancer' }));
  await refused(admin.services('default').patchStatus(created.metadata.name!, 'merge', { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4 } ; flush ruleset ; {' }] } } }),
    'status.loadBalancer.ingress[0].ip', ip);
});

test('v1 Endpoints addresses and ports are checked (ValidateEndpoints, without its special-address rule)', async () => {
  const eps = (ip: string, port = 80) => ({
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: `${P}-ep`, namespace: 'default' },
    subsets: [{ addresses: [{ ip }], ports: [{ port }] }],
  }) as KubeObject;
  await refused(admin.endpoints('default').create(eps('1.2.3.4; flush ruleset')), 'subsets[0].addresses[0].ip', 'must be a valid IP address');
  await refused(admin.endpoints('default').create(eps('10.42.0.9', 0)), 'subsets[0].ports[0].port', 'must be between 1 and 65535, inclusive');
  await admin.endpoints('default').create(eps('10.42.0.9'));
});

test('ClientIP affinity gets upstream\'s default timeout; a config without ClientIP is dropped, as SetDefaults_Service', async () => {
  const svc = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec },
  }) as KubeObject;
  const made = await admin.services('default').create(svc(`${P}-aff`, { sessionAffinity: 'ClientIP' })) as { spec?: { sessionAffinityConfig?: unknown } };
  assert.deepEqual(made.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const none = await admin.services('default').create(svc(`${P}-noaff`, { sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } })) as { spec?: { sessionAffinity?: string; sessionAffinityConfig?: unknown } };
  assert.equal(none.spec?.sessionAffinity, 'None');
  assert.equal(none.spec?.sessionAffinityConfig, undefined);
  // Back to None by an update of the read object (the config still in it), as the conformance test's switch.
  const cur = await admin.services('default').get(`${P}-aff`) as KubeObject & { spec: { sessionAffinity?: string; sessionAffinityConfig?: unknown } };
  const off = await admin.services('default').update({ ...cur, spec: { ...cur.spec, sessionAffinity: 'None' } } as KubeObject) as { spec?: { sessionAffinityConfig?: unknown } };
  assert.equal(off.spec?.sessionAffinityConfig, undefined);
});
