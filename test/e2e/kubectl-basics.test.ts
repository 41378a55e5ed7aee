/**
 * The real kubectl (1.32) against an in-process bosun API server: version, discovery, reads in every
 * output format, imperative create commands (some send protobuf bodies), label/annotate/describe/explain.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

describe('kubectl basics', () => {
  let s: TestServer;
  const ok = (args: string[]): Promise<string> => kubectlOk(s, args);
  before(async () => {
    s = await startTestServer();
  });
  after(() => s?.stop());

  test('version reports the server as Kubernetes 1.32', async () => {
    const out = await ok(['version', '-o', 'json']);
    const v = JSON.parse(out);
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.serverVersion.gitVersion, /^v1\.32\.0-bosun/);
  });

  test('the /usr/bin/kubectl dispatcher picks 1.32 from /version', async () => {
    const r = await s.kubectl(['version'], { binary: '/usr/bin/kubectl' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Client Version: v1\.32\./);
    assert.match(r.stdout, /Server Version: v1\.32\.0-bosun/);
  });

  test('api-resources lists core and apps kinds with short names', async () => {
    const out = await ok(['api-resources']);
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  });

  test('get ns shows the system namespaces', async () => {
    const out = await ok(['get', 'ns']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
  });

  test('create ns, then read it as yaml, json, jsonpath and name', async () => {
    assert.match(await ok(['create', 'ns', 'e2e-basics']), /namespace\/e2e-basics created/);
    const yaml = await ok(['get', 'ns', 'e2e-basics', '-o', 'yaml']);
    assert.match(yaml, /^kind: Namespace$/m);
    assert.match(yaml, /^ {2}name: e2e-basics$/m);
    const json = JSON.parse(await ok(['get', 'ns', 'e2e-basics', '-o', 'json']));
    assert.equal(json.metadata.name, 'e2e-basics');
    assert.ok(json.metadata.uid);
    assert.equal(await ok(['get', 'ns', 'e2e-basics', '-o', 'jsonpath={.metadata.name}']), 'e2e-basics');
    assert.equal((await ok(['get', 'ns', 'e2e-basics', '-o', 'name'])).trim(), 'namespace/e2e-basics');
  });

  test('create configmap --from-literal and secret generic (protobuf bodies)', async () => {
    await ok(['create', 'ns', 'e2e-cm']);
    assert.match(await ok(['-n', 'e2e-cm', 'create', 'configmap', 'c1', '--from-literal=a=1', '--from-literal=b=two']), /configmap\/c1 created/);
    assert.equal(await ok(['-n', 'e2e-cm', 'get', 'cm', 'c1', '-o', 'jsonpath={.data.b}']), 'two');
    assert.match(await ok(['-n', 'e2e-cm', 'create', 'secret', 'generic', 's1', '--from-literal=password=hunter2']), /secret\/s1 created/);
    const b64 = await ok(['-n', 'e2e-cm', 'get', 'secret', 's1', '-o', 'jsonpath={.data.password}']);
    assert.equal(Buffer.from(b64, 'base64').toString(), 'hunter2');
  });

  test('create deployment (protobuf) and expose it', async () => {
    await ok(['create', 'ns', 'e2e-dep']);
    assert.match(await ok(['-n', 'e2e-dep', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80']), /deployment.apps\/web created/);
    const dep = JSON.parse(await ok(['-n', 'e2e-dep', 'get', 'deploy', 'web', '-o', 'json']));
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.match(await ok(['-n', 'e2e-dep', 'expose', 'deploy', 'web', '--port=8080', '--target-port=80']), /service\/web exposed/);
    const svc = JSON.parse(await ok(['-n', 'e2e-dep', 'get', 'svc', 'web', '-o', 'json']));
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.equal(svc.spec.ports[0].port, 8080);
    const wide = await ok(['-n', 'e2e-dep', 'get', 'pods,deploy,svc', '-o', 'wide']);
    assert.match(wide, /deployment\.apps\/web/);
    assert.match(wide, /service\/web/);
  });

  test('label, annotate and describe', async () => {
    await ok(['create', 'ns', 'e2e-label']);
    await ok(['-n', 'e2e-label', 'create', 'configmap', 'c', '--from-literal=k=v']);
    assert.match(await ok(['-n', 'e2e-label', 'label', 'cm', 'c', 'tier=front']), /configmap\/c labeled/);
    assert.match(await ok(['-n', 'e2e-label', 'annotate', 'cm', 'c', 'note=hello']), /configmap\/c annotated/);
    const cm = JSON.parse(await ok(['-n', 'e2e-label', 'get', 'cm', 'c', '-o', 'json']));
    assert.equal(cm.metadata.labels.tier, 'front');
    assert.equal(cm.metadata.annotations.note, 'hello');
    assert.match(await ok(['-n', 'e2e-label', 'get', 'cm', '-l', 'tier=front', '-o', 'name']), /configmap\/c/);
    assert.match(await ok(['-n', 'e2e-label', 'get', 'cm', '--show-labels']), /tier=front/);
    const d = await ok(['-n', 'e2e-label', 'describe', 'cm', 'c']);
    assert.match(d, /^Name:\s+c$/m);
    assert.match(d, /^Labels:\s+tier=front$/m);
  });

  test('explain pod.spec.containers reads the OpenAPI v3 schemas', async () => {
    const out = await ok(['explain', 'pod.spec.containers']);
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /FIELD:\s+containers/);
    assert.match(out, /image\s+<string>/);
  });

  test('get -A lists across namespaces', async () => {
    const out = await ok(['get', 'cm', '-A']);
    assert.match(out, /^NAMESPACE\s+NAME/m);
    assert.match(out, /^e2e-cm\s+c1\s/m);
  });
});
