/**
 * API aggregation through the real kubectl, as kube-aggregator: an extension API server (a test
 * server on a loopback port, trusting only the front proxy's client certificate) behind a Service
 * without selector and an EndpointSlice pointing at it, registered with an APIService whose caBundle
 * verifies it. Local APIServices for Bosun's own group/versions; Available from the discovery check;
 * discovery, lists and watches reach the extension with the caller's identity in X-Remote-* headers
 * (handler_proxy.go, transport.SetAuthProxyHeaders); RBAC is Bosun's, before the proxy; a stopped
 * extension turns the APIService Available False (FailedDiscoveryCheck) and requests 503.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { missingServiceApiService, startRegisteredExtension, type TestExtensionServer } from './testing/extension-server.js';
import { FLIGHT_DESTINATION_DOC, flightOpenApi } from './testing/flight-openapi.js';

const NS = 'agg-ext-7311';
const GROUP = 'flights.agg-test.example.com';
const APISERVICE = `v1alpha1.${GROUP}`;
const FLIGHTS = /^\/apis\/flights\.agg-test\.example\.com\/v1alpha1\/namespaces\/([^/]+)\/flights$/;

const FLIGHT_DEF = 'com.example.aggtest.v1alpha1.Flight';
const OPENAPI = flightOpenApi(GROUP, 'v1alpha1');
type V2Doc = { definitions: Record<string, { properties?: Record<string, { $ref?: string; description?: string }> }> };

const available = async (s: TestServer, name: string): Promise<string> =>
  (await s.kubectl(['get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}/{.status.conditions[?(@.type=="Available")].reason}'])).stdout;

describe('API aggregation (apiregistration.k8s.io/v1 APIService, kube-aggregator)', () => {
  let s: TestServer & { server: ApiServer };
  let ext: TestExtensionServer;
  before(async () => {
    s = await startTestServer();
    // The extension trusts what the cluster publishes for it, as k8s.io/apiserver reads it.
    ext = await startRegisteredExtension(s, {
      group: GROUP, version: 'v1alpha1', namespace: NS, service: 'ext-api',
      resources: [{ name: 'flights', singularName: 'flight', namespaced: true, kind: 'Flight', verbs: ['get', 'list', 'watch'], shortNames: ['fl'] }],
      openapi: OPENAPI,
      answer: (path, query) => {
        const m = FLIGHTS.exec(path);
        if (!m) return undefined;
        const flight = (name: string) => ({ apiVersion: `${GROUP}/v1alpha1`, kind: 'Flight', metadata: { name, namespace: m[1], resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' } });
        if (query.get('watch') === 'true') return { stream: { type: 'ADDED', object: flight('watched-flight') } };
        return { body: { kind: 'FlightList', apiVersion: `${GROUP}/v1alpha1`, metadata: { resourceVersion: '1' }, items: ['lh-400', 'ba-117'].map(flight) } };
      },
    });
  });
  after(async () => {
    await ext?.close();
    await s?.stop();
  });

  test('kubectl get apiservices: Local for Bosun\'s own group/versions, the extension Available after its discovery check', async () => {
    const out = await eventually(async () => {
      const o = await kubectlOk(s, ['get', 'apiservices']);
      return /v1alpha1\.flights\.agg-test\.example\.com\s+agg-ext-7311\/ext-api\s+True\s/.test(o) && o;
    }, 'the extension APIService Available');
    assert.match(out, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE/);
    for (const local of ['v1.', 'v1.apps', 'v1.batch', 'v1.apiregistration.k8s.io', 'v2.autoscaling']) {
      assert.match(out, new RegExp(`^${local.replace(/\./g, '\\.')}\\s+Local\\s+True\\s`, 'm'), local);
    }
    assert.equal(await available(s, APISERVICE), 'True/Passed');
    assert.ok(ext.seen.some((r) => r.path === `/apis/${GROUP}/v1alpha1` && r.user === 'system:kube-aggregator'), 'the discovery check ran as system:kube-aggregator');
  });

  test('kubectl api-resources lists the extension\'s resource; kubectl get reaches it as the caller', async () => {
    await eventually(() => available(s, APISERVICE).then((a) => a === 'True/Passed'), 'Available');
    const resources = await kubectlOk(s, ['api-resources', '--api-group', GROUP]);
    assert.match(resources, /^flights\s+fl\s+flights\.agg-test\.example\.com\/v1alpha1\s+true\s+Flight/m);
    const before = ext.seen.length;
    const names = await kubectlOk(s, ['get', 'flights', '-n', NS, '-o', 'name']);
    assert.deepEqual(names.trim().split('\n'), ['flight.flights.agg-test.example.com/lh-400', 'flight.flights.agg-test.example.com/ba-117']);
    const list = ext.seen.slice(before).find((r) => r.path === `/apis/${GROUP}/v1alpha1/namespaces/${NS}/flights`);
    assert.ok(list, 'the list reached the extension');
    assert.equal(list.user, 'system:admin');
    assert.deepEqual([...list.groups].sort(), ['system:authenticated', 'system:masters']);
    assert.equal(ext.refused, 0, 'the extension accepted the proxy\'s client certificate');
  });

  test('a CRD\'s group/version gets a Local APIService while the CRD serves it (crdregistration_controller.go)', async () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gliders.crd.agg-test.example.com' }, spec: {
      group: 'crd.agg-test.example.com', scope: 'Namespaced', names: { plural: 'gliders', singular: 'glider', kind: 'Glider' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    } };
    await kubectlOk(s, ['apply', '-f', '-'], { input: JSON.stringify(crd) });
    await eventually(() => available(s, 'v1.crd.agg-test.example.com').then((a) => a === 'True/Local'), 'the CRD group\'s Local APIService');
    const spec = JSON.parse(await kubectlOk(s, ['get', 'apiservice', 'v1.crd.agg-test.example.com', '-o', 'jsonpath={.spec}'])) as Record<string, unknown>;
    assert.deepEqual(spec, { group: 'crd.agg-test.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 100 });
    await kubectlOk(s, ['delete', 'crd', 'gliders.crd.agg-test.example.com']);
    await eventually(async () => (await s.kubectl(['get', 'apiservice', 'v1.crd.agg-test.example.com'])).code !== 0, 'the APIService removed with the CRD');
  });

  test('a watch streams through the proxy; identity headers and credentials from the client are not passed on', async () => {
    const admin = s.server.pki.admin;
    const spoofed = { 'X-Remote-User': 'agg-mallory', 'X-Remote-Group': 'agg-spoofed', 'X-Remote-Extra-Scopes': 'all', Authorization: 'Bearer agg-not-for-the-extension' };
    const before = ext.seen.length;
    const line = await new Promise<string>((resolve, reject) => {
      const req = request(`${s.url}/apis/${GROUP}/v1alpha1/namespaces/${NS}/flights?watch=true`, { ca: s.server.pki.ca.cert, cert: admin.cert, key: admin.key, headers: spoofed }, (res) => {
        res.setEncoding('utf8').once('data', (d: string) => {
          resolve(d);
          req.destroy();
        });
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal((JSON.parse(line) as { type: string; object: { metadata: { name: string } } }).object.metadata.name, 'watched-flight');
    const seen = ext.seen.slice(before).find((r) => r.query.get('watch') === 'true');
    assert.deepEqual(seen && { user: seen.user, groups: [...seen.groups].sort(), extra: seen.extra, authorization: seen.authorization },
      { user: 'system:admin', groups: ['system:authenticated', 'system:masters'], extra: {}, authorization: false });
  });

  test('a watch proxied for an ordinary user holds no API Priority and Fairness seat while it streams (upstream #105511)', async () => {
    await kubectlOk(s, ['create', 'clusterrole', 'agg-flight-watcher', '--verb', 'watch', '--resource', `flights.${GROUP}`]);
    await kubectlOk(s, ['create', 'clusterrolebinding', 'agg-flight-watcher', '--clusterrole', 'agg-flight-watcher', '--user', 'agg-watcher']);
    const admin = s.server.pki.admin;
    const open = (): Promise<{ status: number; close(): void }> => new Promise((resolve, reject) => {
      const req = request(`${s.url}/apis/${GROUP}/v1alpha1/namespaces/${NS}/flights?watch=true`, { ca: s.server.pki.ca.cert, cert: admin.cert, key: admin.key, headers: { 'Impersonate-User': 'agg-watcher' } }, (res) => {
        if (res.statusCode !== 200) { res.resume(); resolve({ status: res.statusCode ?? 0, close: () => req.destroy() }); return; }
        res.setEncoding('utf8').once('data', () => resolve({ status: 200, close: () => req.destroy() }));
      });
      req.on('error', reject);
      req.end();
    });
    const watch = await eventually(async () => { const w = await open(); if (w.status === 200) return w; w.close(); return undefined; }, 'the grant to take effect');
    try {
      // global-default serves the user's requests; the open watch is not among its executing ones.
      const metrics = await kubectlOk(s, ['get', '--raw', '/metrics']);
      const seats = metrics.split('\n').find((l) => l.startsWith('apiserver_flowcontrol_current_executing_seats{priority_level="global-default",flow_schema="global-default"}'));
      assert.ok(seats, 'the watch was classified to global-default');
      assert.match(seats, / 0$/, seats);
    } finally {
      watch.close();
    }
  });

  test('RBAC is Bosun\'s: a user without a grant gets 403 before the proxy; with one, the extension sees that user', async () => {
    const before = ext.seen.length;
    const denied = await s.kubectl(['get', 'flights', '-n', NS, '--as', 'agg-alice', '--as-group', 'agg-pilots']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /flights\.flights\.agg-test\.example\.com is forbidden: User "agg-alice" cannot list resource "flights" in API group "flights\.agg-test\.example\.com" in the namespace "agg-ext-7311"/);
    assert.equal(ext.seen.slice(before).filter((r) => r.user === 'agg-alice').length, 0, 'the denied request never reached the extension');
    await kubectlOk(s, ['create', 'role', 'flight-reader', '-n', NS, '--verb', 'list', '--resource', `flights.${GROUP}`]);
    await kubectlOk(s, ['create', 'rolebinding', 'flight-reader', '-n', NS, '--role', 'flight-reader', '--group', 'agg-pilots']);
    await eventually(async () => (await s.kubectl(['get', 'flights', '-n', NS, '--as', 'agg-alice', '--as-group', 'agg-pilots'])).code === 0, 'the grant to take effect');
    const seen = ext.seen.slice(before).find((r) => r.user === 'agg-alice');
    assert.ok(seen);
    assert.deepEqual([...seen.groups].sort(), ['agg-pilots', 'system:authenticated']);
  });

  test('an APIService whose Service is missing is Available False (ServiceNotFound)', async () => {
    await kubectlOk(s, ['apply', '-f', '-'], { input: missingServiceApiService('nowhere.agg-test.example.com', NS) });
    await eventually(() => available(s, 'v1.nowhere.agg-test.example.com').then((a) => a === 'False/ServiceNotFound'), 'ServiceNotFound');
    assert.match(await kubectlOk(s, ['get', 'apiservice', 'v1.nowhere.agg-test.example.com']), /False \(ServiceNotFound\)/);
    await kubectlOk(s, ['delete', 'apiservice', 'v1.nowhere.agg-test.example.com']);
  });

  test('kubectl explain shows the extension\'s kind: its OpenAPI v3 and v2 aggregated as kube-aggregator\'s openapi controllers do', async () => {
    await eventually(() => available(s, APISERVICE).then((a) => a === 'True/Passed'), 'Available');
    // v3 (kubectl's default): the extension's group/version listed in the index and served from what was fetched.
    const explained = await eventually(async () => {
      const r = await s.kubectl(['explain', 'flights.spec.destination']);
      return r.code === 0 && r.stdout;
    }, 'kubectl explain flights.spec.destination');
    assert.match(explained, /^GROUP:\s+flights\.agg-test\.example\.com\nKIND:\s+Flight\nVERSION:\s+v1alpha1\n\nFIELD: destination <string>/);
    assert.ok(explained.includes(FLIGHT_DESTINATION_DOC), explained);
    const index = JSON.parse(await kubectlOk(s, ['get', '--raw', '/openapi/v3'])) as { paths: Record<string, { serverRelativeURL: string }> };
    assert.match(index.paths[`apis/${GROUP}/v1alpha1`]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/apis/${GROUP.replace(/\./g, '\\.')}/v1alpha1\\?hash=[0-9A-F]{128}$`));
    assert.ok(index.paths['apis/apps/v1'], 'the server\'s own group/versions are still listed');
    // v2: the extension's definitions reachable from its /apis/ paths, its differing ObjectMeta renamed.
    const v2explained = await kubectlOk(s, ['explain', 'flights.spec', '--output', 'plaintext-openapiv2']);
    assert.ok(v2explained.includes(FLIGHT_DESTINATION_DOC), v2explained);
    const v2 = JSON.parse(await kubectlOk(s, ['get', '--raw', '/openapi/v2'])) as V2Doc;
    assert.equal(v2.definitions[FLIGHT_DEF]?.properties?.metadata?.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta_v2');
    assert.ok(v2.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.labels, 'the server\'s own ObjectMeta kept');
    assert.equal(v2.definitions['com.example.aggtest.VersionInfo'], undefined, 'definitions used only outside /apis/ filtered out');
  });

  test('the extension\'s OpenAPI fetched again when its APIService changes', async () => {
    const spec = (OPENAPI.v3 as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } }).components.schemas['com.example.aggtest.v1alpha1.FlightSpec']!;
    spec.properties.seats!.description = 'Seats on board, as changed (agg-test).';
    await kubectlOk(s, ['patch', 'apiservice', APISERVICE, '--type=merge', '-p', '{"spec":{"versionPriority":16}}']);
    await eventually(async () => (await kubectlOk(s, ['explain', 'flights.spec.seats'])).includes('as changed (agg-test)'), 'the changed description');
  });

  test('the extension stopped: Available False (FailedDiscoveryCheck) and its requests answer 503', async () => {
    await ext.close();
    await eventually(() => available(s, APISERVICE).then((a) => a === 'False/FailedDiscoveryCheck'), 'FailedDiscoveryCheck', 30_000);
    const r = await s.kubectl(['get', 'flights', '-n', NS]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the server is currently unable to handle the request/);
    // Bosun's own APIs are unaffected.
    await kubectlOk(s, ['get', 'namespaces', NS]);
    // Its OpenAPI drops out (v3 index and document, v2 definitions).
    await eventually(async () => !(await kubectlOk(s, ['get', '--raw', '/openapi/v3'])).includes(`apis/${GROUP}/`), 'the extension gone from /openapi/v3');
    assert.notEqual((await s.kubectl(['get', '--raw', `/openapi/v3/apis/${GROUP}/v1alpha1`])).code, 0);
    const v2 = JSON.parse(await kubectlOk(s, ['get', '--raw', '/openapi/v2'])) as V2Doc;
    assert.equal(v2.definitions[FLIGHT_DEF], undefined);
  });
});
