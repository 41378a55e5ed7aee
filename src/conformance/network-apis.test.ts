/**
 * Upstream's [sig-network] conformance tests that need no node (test/e2e/network/service.go,
 * endpointslice.go, endpointslicemirroring.go, ingress.go, ingressclass.go): the Service, Endpoints,
 * EndpointSlice, Ingress and IngressClass APIs, and the Endpoints, EndpointSlice and
 * EndpointSliceMirroring controllers, against an in-process API server with those controllers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../api/kinds/core/endpoints.js';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { startControllerEnv, type ControllerEnv } from '../testing/controller-env.js';
import { eventuallyWith } from '../testing/eventually.js';
import { addEndpointsController } from '../controllers/endpoints/endpoints-controller.js';
import { addEndpointSliceController } from '../controllers/endpointslice/endpointslice-controller.js';
import { addEndpointSliceMirroringController } from '../controllers/endpointslice-mirroring/mirroring-controller.js';
import { walkLifecycle } from './testing/api-lifecycle.js';
import { WatchReader } from './testing/watch-reader.js';

const NS = 'cf-network-apis';
const eventually = eventuallyWith({ retryErrors: true });
let env: ControllerEnv;
let client: KubeClient;

/** The controllers these tests exercise (kube-controller-manager's endpoint, endpointslice, endpointslicemirroring). */
const endpointControllers = [addEndpointsController, addEndpointSliceController, addEndpointSliceMirroringController];

before(async () => {
  env = await startControllerEnv({ namespace: NS, add: (mgr) => endpointControllers.map((add) => add(mgr)) });
  client = env.client;
});
after(() => env.stop());

const slices = (ns: string) => client.resource<EndpointSlice>(resources.endpointslices, ns);
const slicesOf = async (ns: string, svc: string): Promise<EndpointSlice[]> =>
  (await slices(ns).list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;
const service = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec } as Service);

test('[sig-network] Services should provide secure master service [Conformance]', async () => {
  const svc = await client.services<Service>('default').get('kubernetes');
  assert.equal(svc.metadata.name, 'kubernetes');
});

test('[sig-network] Services should find a service from listing all namespaces [Conformance]', async () => {
  const all = await client.services<Service>().list();
  assert.ok(all.items.some((s) => s.metadata.name === 'kubernetes' && s.metadata.namespace === 'default'));
});

test('[sig-network] EndpointSlice should have Endpoints and EndpointSlices pointing to API Server [Conformance]', async () => {
  await client.services('default').get('kubernetes');
  const ep = await client.endpoints<Endpoints>('default').get('kubernetes');
  assert.ok((ep.subsets ?? []).length > 0, 'at least one subset');
  const list = await slicesOf('default', 'kubernetes');
  assert.ok(list.length > 0, 'at least one EndpointSlice');
  // upstream's endpointSlicesEqual: every address and port of the Endpoints is in the slices, and back.
  const fromEndpoints = new Set((ep.subsets ?? []).flatMap((ss) => (ss.addresses ?? []).flatMap((a) => (ss.ports ?? []).map((p) => `${a.ip}:${p.port}`))));
  const fromSlices = new Set(list.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses.flatMap((a) => (s.ports ?? []).map((p) => `${a}:${p.port}`)))));
  assert.deepEqual([...fromSlices].sort(), [...fromEndpoints].sort());
});

test('[sig-network] Services should test the lifecycle of an Endpoint [Conformance]', async () => {
  const eps = client.endpoints<Endpoints>(NS);
  const selector = 'test-endpoint-static=true';
  const listed = await client.endpoints<Endpoints>().list({ labelSelector: selector });
  const w = new WatchReader(await eps.watch({ labelSelector: selector, resourceVersion: listed.metadata.resourceVersion }));
  try {
    await eps.create({
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'testservice', labels: { 'test-endpoint-static': 'true' } },
      subsets: [{ addresses: [{ ip: '10.0.0.24' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
    });
    assert.equal((await w.expect('ADDED', 'testservice')).object.metadata.labels?.['test-endpoint-static'], 'true');
    const found = (await client.endpoints<Endpoints>().list({ labelSelector: selector })).items.find((e) => e.metadata.name === 'testservice' && e.metadata.namespace === NS);
    assert.ok(found, 'the Endpoints in the list of all namespaces');
    await eps.update({ ...found, metadata: { ...found.metadata, labels: { ...found.metadata.labels, 'test-service': 'updated' } } });
    await w.expect('MODIFIED', 'testservice');
    assert.equal((await eps.get('testservice')).metadata.labels?.['test-service'], 'updated');
    await eps.patch('testservice', 'strategic', { metadata: { labels: { 'test-service': 'patched' } }, subsets: [{ addresses: [{ ip: '10.0.0.25' }], ports: [{ name: 'http-test', port: 8080 }] }] });
    await w.expect('MODIFIED', 'testservice');
    const patched = await eps.get('testservice');
    assert.equal(patched.metadata.labels?.['test-service'], 'patched');
    assert.equal(patched.subsets?.[0]?.addresses?.[0]?.ip, '10.0.0.25');
    assert.equal(patched.subsets?.[0]?.ports?.[0]?.name, 'http-test');
    assert.equal(patched.subsets?.[0]?.ports?.[0]?.port, 8080);
    await eps.deleteCollection({ labelSelector: selector });
    await w.expect('DELETED', 'testservice');
    await assert.rejects(eps.get('testservice'), isNotFound);
  } finally {
    w.stop();
  }
});

test('[sig-network] Services should complete a service status lifecycle [Conformance]', async () => {
  const svcs = client.services<Service>(NS);
  const name = 'test-service-cf1';
  const selector = 'test-service-static=true';
  const listed = await client.services<Service>().list({ labelSelector: selector });
  const w = new WatchReader(await svcs.watch({ labelSelector: selector, resourceVersion: listed.metadata.resourceVersion }));
  try {
    await svcs.create(service(name, {
      type: 'LoadBalancer', loadBalancerClass: 'example.com/internal-vip',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
    }, { 'test-service-static': 'true' }));
    await w.expect('ADDED', name);
    const status = await client.raw<Service>('GET', `/api/v1/namespaces/${NS}/services/${name}/status`);
    assert.equal(status.metadata.name, name);
    await svcs.patch(name, 'merge', { metadata: { annotations: { patchedstatus: 'true' } }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } } }, { subresource: 'status' });
    const afterPatch = (await w.expect('MODIFIED', name)).object;
    assert.equal(afterPatch.metadata.annotations?.patchedstatus, 'true');
    assert.deepEqual(afterPatch.status?.loadBalancer?.ingress?.map((i) => i.ip), ['203.0.113.1']);
    // As client-go sends a metav1.Condition with no time: lastTransitionTime null.
    const cur = await svcs.get(name);
    const condition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test', lastTransitionTime: null };
    const updated = await svcs.updateStatus({ ...cur, status: { ...cur.status, conditions: [...(cur.status?.conditions ?? []), condition] } } as unknown as Service);
    assert.ok(updated.status?.conditions?.some((c) => c.type === 'StatusUpdate'));
    const afterUpdate = (await w.expect('MODIFIED', name)).object;
    assert.ok(afterUpdate.status?.conditions?.some((c) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test'));
    await svcs.patch(name, 'strategic', { metadata: { labels: { 'test-service': 'patched' } } });
    assert.equal((await w.expect('MODIFIED', name)).object.metadata.labels?.['test-service'], 'patched');
    await svcs.delete(name);
    assert.equal((await w.expect('DELETED', name)).object.metadata.labels?.['test-service-static'], 'true');
  } finally {
    w.stop();
  }
});

test('[sig-network] Services should delete a collection of services [Conformance]', async () => {
  const ns = `${NS}-dc`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const svcs = client.services<Service>(ns);
  for (const [name, label, port] of [['e2e-svc-a-x1', 'delete', 8001], ['e2e-svc-b-x1', 'delete', 8002], ['e2e-svc-c-x1', 'keep', 8003]] as const) {
    await svcs.create(service(name, { type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port, targetPort: port }] }, { 'e2e-test-service': label }));
  }
  assert.equal((await svcs.list()).items.length, 3);
  await svcs.deleteCollection({ labelSelector: 'e2e-test-service=delete' });
  assert.deepEqual((await svcs.list()).items.map((s) => s.metadata.name), ['e2e-svc-c-x1']);
});

test('[sig-network] EndpointSlice should create and delete Endpoints and EndpointSlices for a Service with a selector specified [Conformance]', async () => {
  const name = 'example-empty-selector';
  await client.services(NS).create(service(name, {
    selector: { 'does-not-match-anything': 'endpoints-and-endpoint-slices-should-still-be-created' },
    ports: [{ name: 'example', port: 80, protocol: 'TCP' }],
  }));
  await eventually(() => client.endpoints(NS).get(name), 'the Endpoints');
  const [slice] = await eventually(async () => {
    const l = await slicesOf(NS, name);
    return l.length > 0 && l;
  }, 'an EndpointSlice');
  assert.equal(slice!.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slice!.endpoints ?? [], []);
  await client.services(NS).delete(name);
  await eventually(() => client.endpoints(NS).get(name).then(() => false, isNotFound), 'the Endpoints deleted with the Service');
  await eventually(async () => (await slicesOf(NS, name)).length === 0, 'the EndpointSlices deleted with the Service');
});

test('[sig-network] EndpointSlice should support creating EndpointSlice API operations [Conformance]', async () => {
  await walkLifecycle(client, {
    ref: resources.endpointslices, namespace: NS,
    make: (name, labels) => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, labels }, addressType: 'IPv4',
      endpoints: [{ addresses: ['1.2.3.4', '5.6.7.8'] }, { addresses: ['2.2.3.4', '6.6.7.8'] }],
    }) as KubeObject,
  }, 'e2e-example-ing');
  // Upstream also lists across namespaces.
  assert.ok(Array.isArray((await slices('').list()).items));
});

test('[sig-network] EndpointSliceMirroring should mirror a custom Endpoints resource through create update and delete [Conformance]', async () => {
  const name = 'example-custom-endpoints';
  await client.services(NS).create(service(name, { ports: [{ name: 'example', port: 80, protocol: 'TCP' }] }));
  const endpoints: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets: [{ ports: [{ port: 80 }], addresses: [{ ip: '10.1.2.3' }] }] };
  const mirrored = async (ip: string, exactlyOne: boolean): Promise<true> => {
    const list = await slicesOf(NS, name);
    assert.ok(list.length > 0, 'at least one mirrored EndpointSlice');
    if (exactlyOne) assert.equal(list.length, 1);
    for (const s of list) {
      assert.deepEqual(s.ports?.map((p) => p.port), [80]);
      assert.equal(s.endpoints?.length, 1);
      assert.deepEqual(s.endpoints[0]!.addresses, [ip]);
      assert.equal(s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    }
    return true;
  };
  await client.endpoints<Endpoints>(NS).create(endpoints);
  await eventually(() => mirrored('10.1.2.3', false), 'the Endpoints mirrored');
  const cur = await client.endpoints<Endpoints>(NS).get(name);
  await client.endpoints<Endpoints>(NS).update({ ...cur, subsets: [{ ports: [{ port: 80 }], addresses: [{ ip: '10.2.3.4' }] }] });
  await eventually(() => mirrored('10.2.3.4', true), 'the update mirrored');
  await client.endpoints(NS).delete(name);
  await eventually(async () => (await slicesOf(NS, name)).length === 0, 'the mirrored EndpointSlices deleted');
});

test('[sig-network] Ingress API should support creating Ingress API operations [Conformance]', async () => {
  await walkLifecycle(client, {
    ref: resources.ingresses, namespace: NS,
    status: (n) => ({ loadBalancer: { ingress: [{ ip: `169.1.1.${n}` }] } }),
    make: (name, labels) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, labels },
      spec: {
        defaultBackend: { service: { name: 'default-backend', port: { number: 8080 } } },
        rules: [{ host: 'foo.bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'test-backend', port: { number: 8080 } } } }] } }],
      },
    }) as KubeObject,
  }, 'e2e-example-ing');
});

test('[sig-network] IngressClass API should support creating IngressClass API operations [Conformance]', async () => {
  await walkLifecycle(client, {
    ref: resources.ingressclasses,
    make: (name, labels) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, labels }, spec: { controller: 'example.com/e2e-controller' } }) as KubeObject,
  }, 'e2e-example-ingclass');
});
