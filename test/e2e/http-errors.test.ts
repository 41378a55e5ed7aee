/**
 * Bad input over raw HTTPS: each gets the right Status (code, reason, a message naming the problem)
 * and leaves nothing half-written.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';
import { RawClient } from '../../src/testing/raw-client.js';

const NS = 'e2e-errors';
const cmPath = `/api/v1/namespaces/${NS}/configmaps`;

describe('API errors over HTTPS', () => {
  let s: TestServer;
  let c: RawClient;
  const count = async (): Promise<number> => (await c.request(cmPath)).json.items.length;
  before(async () => {
    s = await startTestServer();
    c = new RawClient(s.url, s.dataDir);
    const r = await c.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(r.status, 201, r.body);
  });
  after(async () => {
    c?.close();
    await s?.stop();
  });

  const expectStatus = (r: { status: number; json: any; body: string }, code: number, reason: string, message?: RegExp): void => {
    assert.equal(r.status, code, r.body);
    assert.equal(r.json?.kind, 'Status', r.body);
    assert.equal(r.json.code, code);
    assert.equal(r.json.reason, reason);
    if (message) assert.match(r.json.message, message);
    assert.doesNotMatch(r.body, /\bat .*\.(ts|js):\d+/);
  };

  test('no credentials is system:anonymous: 403 on resources, /healthz readable; a bad token is 401', async () => {
    expectStatus(await c.request(cmPath, { clientCert: false }), 403, 'Forbidden', /User "system:anonymous" cannot list resource "configmaps"/);
    assert.equal((await c.request('/healthz', { clientCert: false })).status, 200);
    expectStatus(await c.request(cmPath, { clientCert: false, headers: { Authorization: 'Bearer not-a-token' } }), 401, 'Unauthorized');
  });

  test('malformed JSON and YAML are 400', async () => {
    expectStatus(await c.request(cmPath, { method: 'POST', body: '{"apiVersion": "v1", "kind": ' }), 400, 'BadRequest', /JSON/);
    expectStatus(await c.request(cmPath, { method: 'POST', body: 'kind: [unclosed', headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest', /YAML/);
    assert.equal(await count(), 0);
  });

  test('a body of the wrong kind is 400', async () => {
    expectStatus(await c.send('POST', cmPath, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }), 400, 'BadRequest', /Secret/);
    expectStatus(await c.send('POST', cmPath, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 400, 'BadRequest', /apps\/v1/);
    assert.equal(await count(), 0);
  });

  test('an invalid name is 422 naming metadata.name', async () => {
    const r = await c.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } });
    expectStatus(r, 422, 'Invalid', /metadata\.name/);
    assert.ok(r.json.details.causes.some((x: any) => x.field === 'metadata.name'));
    assert.equal(await count(), 0);
  });

  test('an oversized body is 413', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(4 * 1024 * 1024) } });
    expectStatus(await c.request(cmPath, { method: 'POST', body: big }), 413, 'RequestEntityTooLarge');
    assert.equal(await count(), 0);
  });

  test('an unsupported patch content type is 415, an unacceptable Accept 406', async () => {
    const r = await c.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    assert.equal(r.status, 201, r.body);
    expectStatus(await c.request(`${cmPath}/p`, { method: 'PATCH', body: '{}', headers: { 'Content-Type': 'application/json' } }), 415, 'UnsupportedMediaType');
    expectStatus(await c.request(`${cmPath}/p`, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } }), 406, 'NotAcceptable');
    assert.equal((await c.request(`${cmPath}/p`, { method: 'DELETE' })).status, 200);
  });

  test('a stale resourceVersion on update is 409 and changes nothing', async () => {
    const created = await c.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv' }, data: { v: '1' } });
    assert.equal(created.status, 201);
    const first = await c.send('PUT', `${cmPath}/rv`, { ...created.json, data: { v: '2' } });
    assert.equal(first.status, 200, first.body);
    expectStatus(await c.send('PUT', `${cmPath}/rv`, { ...created.json, data: { v: '3' } }), 409, 'Conflict', /modified/);
    assert.equal((await c.request(`${cmPath}/rv`)).json.data.v, '2');
    await c.request(`${cmPath}/rv`, { method: 'DELETE' });
  });

  test('an unknown field is 400 with fieldValidation=Strict and a Warning header by default', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uf' }, dataa: { k: 'v' } };
    expectStatus(await c.send('POST', `${cmPath}?fieldValidation=Strict`, body), 400, 'BadRequest', /dataa/);
    assert.equal(await count(), 0);
    const warned = await c.send('POST', cmPath, body);
    assert.equal(warned.status, 201, warned.body);
    assert.match(String(warned.headers.warning), /299 - ".*dataa/);
    await c.request(`${cmPath}/uf`, { method: 'DELETE' });
  });

  test('unknown paths are 404 and wrong verbs 405, both as Status', async () => {
    expectStatus(await c.request('/api/v1/nopes'), 404, 'NotFound');
    expectStatus(await c.request('/no/such/path'), 404, 'NotFound');
    expectStatus(await c.request('/version', { method: 'POST', body: '{}' }), 405, 'MethodNotAllowed');
    expectStatus(await c.request(`${cmPath}/x`, { method: 'POST', body: '{}' }), 405, 'MethodNotAllowed');
  });

  test('discovery answers the aggregated media type exactly', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const r = await c.request('/apis', { headers: { Accept: accept } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = r.json.items.find((g: any) => g.metadata.name === 'apps');
    const deploy = apps.versions[0].resources.find((x: any) => x.resource === 'deployments');
    assert.deepEqual(deploy.subresources.find((x: any) => x.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const legacy = await c.request('/apis/apps/v1', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(legacy.status, 200);
    assert.ok(legacy.json.resources.some((x: any) => x.name === 'deployments/scale' && x.kind === 'Scale' && x.group === 'autoscaling'));
  });

  test('a Table list has column definitions and rows with partial object metadata', async () => {
    const r = await c.request('/api/v1/namespaces', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.kind, 'Table');
    assert.equal(r.json.columnDefinitions[0].name, 'Name');
    const row = r.json.rows.find((x: any) => x.object.metadata.name === NS);
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.ok(row.object.metadata.uid);
  });
});
