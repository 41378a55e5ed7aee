/**
 * kubectl apply against bosun: client-side apply (create, strategic-merge update, "unchanged"),
 * server-side apply, --dry-run=server, server-side field validation, patch types and scale.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = 'e2e-apply';

function manifest(image: string, replicas: number, extraEnv = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
        env:
        - name: A
          value: "1"${extraEnv}
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${NS}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${NS}
data:
  key: value
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: ${NS}
data:
  token: YWJj
`;
}

// The Secret uses `data`: with `stringData` (write-only, folded into data by the server) kubectl
// reports "configured" on every apply, upstream too.
describe('kubectl apply', () => {
  let s: TestServer;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const ok = (args: string[]): Promise<string> => kubectlOk(s, args);
  const getJson = async (args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));

  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'bosun-e2e-apply-'));
    await ok(['create', 'ns', NS]);
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply -f creates every document of a multi-document file', async () => {
    const out = await ok(['apply', '-f', file('v1.yaml', manifest('nginx:1.26', 2))]);
    assert.match(out, /deployment.apps\/web created/);
    assert.match(out, /service\/web created/);
    assert.match(out, /configmap\/web-config created/);
    assert.match(out, /secret\/web-secret created/);
    const dep = await getJson(['-n', NS, 'get', 'deploy', 'web']);
    assert.ok(dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    const secret = await getJson(['-n', NS, 'get', 'secret', 'web-secret']);
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'abc');
  });

  test('apply again after an edit patches by merge keys; untouched objects are unchanged', async () => {
    const out = await ok(['apply', '-f', file('v2.yaml', manifest('nginx:1.27', 3, '\n        - name: B\n          value: "2"'))]);
    assert.match(out, /deployment.apps\/web configured/);
    assert.match(out, /service\/web unchanged/);
    assert.match(out, /configmap\/web-config unchanged/);
    assert.match(out, /secret\/web-secret unchanged/);
    const dep = await getJson(['-n', NS, 'get', 'deploy', 'web']);
    assert.equal(dep.spec.replicas, 3);
    const [web, sidecar] = dep.spec.template.spec.containers;
    assert.equal(web.image, 'nginx:1.27');
    assert.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.equal(sidecar.name, 'sidecar');
    const last = JSON.parse(dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.spec.replicas, 3);
  });

  test('apply --server-side creates and then updates', async () => {
    const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: ${NS}\ndata:\n  k: "${v}"\n`;
    assert.match(await ok(['apply', '--server-side', '-f', file('ssa1.yaml', cm('1'))]), /configmap\/ssa serverside-applied/);
    assert.match(await ok(['apply', '--server-side', '-f', file('ssa2.yaml', cm('2'))]), /configmap\/ssa serverside-applied/);
    const got = await getJson(['-n', NS, 'get', 'cm', 'ssa', '--show-managed-fields']);
    assert.equal(got.data.k, '2');
    assert.ok(got.metadata.managedFields.some((f: any) => f.manager === 'kubectl' && f.operation === 'Apply'));
  });

  test('apply --dry-run=server persists nothing', async () => {
    const out = await ok(['apply', '--dry-run=server', '-f', file('dry.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: ${NS}\n`)]);
    assert.match(out, /configmap\/dry created \(server dry run\)/);
    const r = await s.kubectl(['-n', NS, 'get', 'cm', 'dry']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
  });

  test('a manifest with an unknown field is rejected naming the field', async () => {
    const bad = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: ${NS}\ndata:\n  k: v\nspecc:\n  x: 1\n`;
    const r = await s.kubectl(['apply', '-f', file('bad.yaml', bad)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /specc/);
    const gone = await s.kubectl(['-n', NS, 'get', 'cm', 'bad']);
    assert.notEqual(gone.code, 0);
  });

  test('unknown fields read as upstream words them: a create names the kind; a patch (no --validate) warns and drops them', async () => {
    const created = await s.kubectl(['-n', NS, 'create', '-f', file('typo.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndataa:\n  k: v\n`)]);
    assert.notEqual(created.code, 0);
    assert.match(created.stderr, /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa"/);
    // kubectl patch sends no fieldValidation, so the server's default (Warn) applies.
    await ok(['-n', NS, 'create', 'configmap', 'typo-patch', '--from-literal=a=b']);
    const patched = await s.kubectl(['-n', NS, 'patch', 'cm', 'typo-patch', '--type', 'strategic', '-p', '{"dataa":{"k":"v"},"data":{"c":"d"}}']);
    assert.equal(patched.code, 0, patched.stderr);
    assert.match(patched.stderr, /^Warning: unknown field "dataa"$/m);
    assert.equal(await ok(['-n', NS, 'get', 'cm', 'typo-patch', '-o', 'jsonpath={.data}']), '{"a":"b","c":"d"}');
  });

  test('patch --type json, merge and strategic', async () => {
    await ok(['-n', NS, 'patch', 'cm', 'web-config', '--type', 'json', '-p', '[{"op":"add","path":"/data/j","value":"json"}]']);
    await ok(['-n', NS, 'patch', 'cm', 'web-config', '--type', 'merge', '-p', '{"data":{"m":"merge"}}']);
    await ok(['-n', NS, 'patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
    const cm = await getJson(['-n', NS, 'get', 'cm', 'web-config']);
    assert.deepEqual({ j: cm.data.j, m: cm.data.m, key: cm.data.key }, { j: 'json', m: 'merge', key: 'value' });
    const dep = await getJson(['-n', NS, 'get', 'deploy', 'web']);
    assert.deepEqual(dep.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`), ['web=nginx:1.27', 'sidecar=busybox:1.37']);
  });

  test('scale deploy goes through the scale subresource', async () => {
    assert.match(await ok(['-n', NS, 'scale', 'deploy', 'web', '--replicas=5']), /deployment.apps\/web scaled/);
    assert.equal(await ok(['-n', NS, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
  });

  test('get -o wide prints the wide columns', async () => {
    const out = await ok(['-n', NS, 'get', 'deploy,svc', '-o', 'wide']);
    assert.match(out, /CONTAINERS/);
    assert.match(out, /SELECTOR/);
    assert.match(out, /deployment.apps\/web/);
  });
});
