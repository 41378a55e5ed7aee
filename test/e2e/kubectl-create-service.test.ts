/**
 * The kubectl 1.32 `create` subcommands that POST protobuf bodies beyond those of kubectl-basics:
 * `create service clusterip|nodeport|loadbalancer|externalname` and `create serviceaccount`. Kinds
 * Bosun does not serve (`create job`, `create quota`) fail with kubectl's clear not-found message.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = 'e2e-create-svc';

describe('kubectl create service and serviceaccount (protobuf bodies)', () => {
  let s: TestServer;
  const ok = (args: string[]): Promise<string> => kubectlOk(s, ['-n', NS, ...args]);
  const json = async (args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));
  before(async () => {
    s = await startTestServer();
    await kubectlOk(s, ['create', 'ns', NS]);
  });
  after(() => s?.stop());

  test('create service clusterip with two ports, and a headless one', async () => {
    assert.match(await ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443']), /service\/web created/);
    const svc = await json(['get', 'svc', 'web']);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.match(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.deepEqual(svc.metadata.labels, { app: 'web' });
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.protocol, p.port, p.targetPort]), [['80-8080', 'TCP', 80, 8080], ['443', 'TCP', 443, 443]]);
    await ok(['create', 'service', 'clusterip', 'hl', '--clusterip=None']);
    assert.equal((await json(['get', 'svc', 'hl'])).spec.clusterIP, 'None');
  });

  test('create service nodeport keeps the requested node port', async () => {
    await ok(['create', 'service', 'nodeport', 'np', '--tcp=5678:8080', '--node-port=30123']);
    const svc = await json(['get', 'svc', 'np']);
    assert.equal(svc.spec.type, 'NodePort');
    assert.equal(svc.spec.ports[0].nodePort, 30123);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
  });

  test('create service loadbalancer with a named target port', async () => {
    await ok(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:http']);
    const svc = await json(['get', 'svc', 'lb']);
    assert.equal(svc.spec.type, 'LoadBalancer');
    assert.equal(svc.spec.ports[0].targetPort, 'http');
    assert.ok(svc.spec.ports[0].nodePort > 0, 'a LoadBalancer service gets a node port');
  });

  test('create service externalname', async () => {
    await ok(['create', 'service', 'externalname', 'ext', '--external-name=db.example.com']);
    const svc = await json(['get', 'svc', 'ext']);
    assert.equal(svc.spec.type, 'ExternalName');
    assert.equal(svc.spec.externalName, 'db.example.com');
  });

  test('create serviceaccount', async () => {
    assert.match(await ok(['create', 'serviceaccount', 'robot']), /serviceaccount\/robot created/);
    assert.equal((await json(['get', 'sa', 'robot'])).metadata.name, 'robot');
  });

  test('a protobuf body with an invalid object is 422, not a decoding error', async () => {
    const r = await s.kubectl(['-n', NS, 'create', 'service', 'clusterip', 'Bad_Name', '--tcp=80']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Service "Bad_Name" is invalid: metadata\.name/);
  });

  test('a kind the server does not serve fails with kubectl\'s message, and a create of it with the server\'s not-found', async () => {
    // Every kubectl create generator's kind is served now (Ingress since the networking kinds), so
    // the refusal is shown on a resource no server has.
    const r = await s.kubectl(['-n', NS, 'get', 'gizmos.nowhere.example.com']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the server doesn't have a resource type "gizmos"/);
    const raw = await s.kubectl(['create', '--raw', '/apis/nowhere.example.com/v1/namespaces/default/gizmos', '-f', '-'], { input: '{}' });
    assert.equal(raw.code, 1);
    assert.match(raw.stderr, /the server could not find the requested resource/);
  });
});
