/**
 * In-cluster identity on real containers (issue 14): a pod gets the kube-api-access projected
 * volume (its bound token, the cluster CA, its namespace) at /var/run/secrets/kubernetes.io/
 * serviceaccount, and curl inside it, verifying the API server against the mounted ca.crt,
 * lists the pods of its namespace through https://kubernetes.default.svc (DNS, the kubernetes
 * Service and the proxy to the server) and the ClusterIP with that token, as an in-cluster client
 * library does, and is refused (403) in another namespace (ordinary Role/RoleBinding manifests).
 * `kubectl create token` bound to a pod gives a token that works until the pod is deleted (401
 * after, as upstream's pod-bound tokens). The server listens on 0.0.0.0 so that the kubernetes
 * Endpoints hold an address pods can reach. Needs root; `npm run build`,
 * scripts/build-test-images.sh and scripts/build-test-curl-image.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { BOSUN_BIN, waitFor } from '../../src/testing/node-server.js';
import { runKubectl, type KubectlResult } from '../../src/testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../src/testing/token-kubeconfig.js';
import { freeDnsPort, startServicesNode, stopServicesNode, type ServicesNode } from './services-harness.js';

const run = promisify(execFile);
const CURL_TARBALL = join(import.meta.dirname, '..', '..', '.test-images', 'curl.tar');
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const A = 'ident-a';
const B = 'ident-b';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${A}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${B}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: ${A}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-reads-pods, namespace: ${A}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{kind: ServiceAccount, name: default, namespace: ${A}}]
---
apiVersion: v1
kind: Service
metadata: {name: web-svc, namespace: ${A}}
spec: {ports: [{name: http, port: 8080}]}
`;

const pod = (name: string, enableServiceLinks = true) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${A}}
spec:
  enableServiceLinks: ${enableServiceLinks}
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: bosun.test/curl:1}]
`;

const claimsOf = (jwt: string): any => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

let node: ServicesNode;
let dir: string;

/** `curl` in the client pod with its mounted token and CA: the HTTP code and the body. */
async function inPod(url: string): Promise<{ code: number; body: any; raw: string }> {
  const script = `curl -sS -o /tmp/out -w '%{http_code}' --max-time 10 --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" '${url}'; echo; cat /tmp/out`;
  const r = await node.kubectl(['-n', A, 'exec', 'client', '--', 'sh', '-c', script]);
  const [code, ...rest] = r.stdout.split('\n');
  const raw = rest.join('\n');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  return { code: Number(code), body, raw: `${r.stdout}${r.stderr}` };
}

/** kubectl from the host with nothing but `token` (and the cluster CA). */
function asToken(token: string, args: string[]): Promise<KubectlResult> {
  return runKubectl(writeTokenKubeconfig(dir, node.url, join(node.dataDir, 'pki', 'ca.crt'), token), join(dir, 'cache'), args);
}

describe('in-cluster identity', { timeout: 240_000 }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-ident-'));
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(await freeDnsPort()), '--bind-address', '0.0.0.0'] });
    await run(process.execPath, [BOSUN_BIN, 'images', 'import', CURL_TARBALL, '--data-dir', node.dataDir]);
    await node.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    // The ServiceAccount admission mounts a token only for a ServiceAccount that exists.
    await waitFor('the default ServiceAccount', async () => (await node.kubectl(['-n', A, 'get', 'sa', 'default'])).code === 0, 30_000, 200);
    await node.kubectl(['apply', '-f', '-'], { input: `${pod('client')}\n---\n${pod('nolinks', false)}` });
    for (const name of ['client', 'nolinks']) {
      await waitFor(`the ${name} pod Ready`, async () =>
        (await node.k('-n', A, 'get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 120_000, 500);
    }
    // The cluster DNS answers once it has read the Services: the tests below start after that.
    await waitFor('kubernetes.default.svc to resolve in the pod', async () => (await inPod('https://kubernetes.default.svc/version')).code === 200, 60_000, 500);
  });
  after(async () => {
    await node?.kubectl(['delete', 'namespace', A, B, '--wait=false']);
    await stopServicesNode(node);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the pod has kube-api-access mounted: a token bound to it, the cluster CA and its namespace', async () => {
    const spec = JSON.parse(await node.k('-n', A, 'get', 'pod', 'client', '-o', 'json'));
    const vol = spec.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    assert.ok(vol, JSON.stringify(spec.spec.volumes));
    assert.deepEqual(spec.spec.containers[0].volumeMounts, [{ name: vol.name, mountPath: SA_DIR, readOnly: true }]);
    assert.equal(await node.k('-n', A, 'exec', 'client', '--', 'cat', `${SA_DIR}/namespace`), A);
    assert.equal(await node.k('-n', A, 'exec', 'client', '--', 'cat', `${SA_DIR}/ca.crt`), readFileSync(join(node.dataDir, 'pki', 'ca.crt'), 'utf8'));
    const claims = claimsOf(await node.k('-n', A, 'exec', 'client', '--', 'cat', `${SA_DIR}/token`));
    assert.equal(claims.sub, `system:serviceaccount:${A}:default`);
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'client', uid: spec.metadata.uid });
    assert.equal(claims['kubernetes.io'].node.name, node.nodeName);
    assert.equal(claims['kubernetes.io'].warnafter - claims.iat, 3607, 'the kubelet-style 3607 s token, extended as upstream');
  });

  it('lists the pods of its namespace through https://kubernetes.default.svc and the ClusterIP, the certificate verified', async () => {
    const viaName = await inPod(`https://kubernetes.default.svc/api/v1/namespaces/${A}/pods`);
    assert.equal(viaName.code, 200, viaName.raw);
    assert.deepEqual(viaName.body.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['client', 'nolinks']);
    const ip = await node.k('-n', 'default', 'get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
    const viaIp = await inPod(`https://${ip}/api/v1/namespaces/${A}/pods/client`);
    assert.equal(viaIp.code, 200, viaIp.raw);
    assert.equal(viaIp.body.metadata.name, 'client');
  });

  it('containers get the service environment variables (kubelet envvars): kubernetes always, the namespace\'s with enableServiceLinks', async () => {
    // The curl image has no `env` binary: the exec'd process's own environment is the container's.
    const envOf = async (name: string) => new Map((await node.k('-n', A, 'exec', name, '--', 'cat', '/proc/self/environ')).split('\0').filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const kubeIP = await node.k('-n', 'default', 'get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
    const webIP = await node.k('-n', A, 'get', 'svc', 'web-svc', '-o', 'jsonpath={.spec.clusterIP}');
    assert.match(kubeIP, /^\d+\.\d+\.\d+\.\d+$/);
    const on = await envOf('client');
    assert.equal(on.get('KUBERNETES_SERVICE_HOST'), kubeIP);
    assert.equal(on.get('KUBERNETES_SERVICE_PORT'), '443');
    assert.equal(on.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(on.get('KUBERNETES_PORT'), `tcp://${kubeIP}:443`);
    assert.equal(on.get('KUBERNETES_PORT_443_TCP_ADDR'), kubeIP);
    assert.equal(on.get('WEB_SVC_SERVICE_HOST'), webIP);
    assert.equal(on.get('WEB_SVC_SERVICE_PORT_HTTP'), '8080');
    assert.equal(on.get('WEB_SVC_PORT_8080_TCP'), `tcp://${webIP}:8080`);
    const off = await envOf('nolinks');
    assert.equal(off.get('KUBERNETES_SERVICE_HOST'), kubeIP);
    assert.equal(off.get('KUBERNETES_SERVICE_PORT'), '443');
    assert.equal(off.has('WEB_SVC_SERVICE_HOST'), false, [...off.keys()].join(','));
  });

  it('is refused in another namespace (403, upstream message)', async () => {
    const other = await inPod(`https://kubernetes.default.svc/api/v1/namespaces/${B}/pods`);
    assert.equal(other.code, 403, other.raw);
    assert.equal(other.body.message, `pods is forbidden: User "system:serviceaccount:${A}:default" cannot list resource "pods" in API group "" in the namespace "${B}"`);
    const write = await inPod(`https://kubernetes.default.svc/api/v1/namespaces/${A}/secrets`);
    assert.equal(write.code, 403, write.raw);
  });

  it('kubectl create token bound to a pod works until the pod is deleted; so does the pod\'s own mounted token', async () => {
    await node.kubectl(['apply', '-f', '-'], { input: pod('victim') });
    const token = (await node.k('-n', A, 'create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'victim')).trim();
    const mounted = (await node.k('-n', A, 'exec', 'client', '--', 'cat', `${SA_DIR}/token`)).trim();
    const ok = await asToken(token, ['-n', A, 'get', 'pods', '-o', 'name']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /pod\/victim/);
    assert.equal((await asToken(mounted, ['-n', A, 'get', 'pod', 'client', '-o', 'name'])).stdout.trim(), 'pod/client');

    await node.k('-n', A, 'delete', 'pod', 'victim', 'client', '--wait=true');
    for (const t of [token, mounted]) {
      const refused = await asToken(t, ['-n', A, 'get', 'pods']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /You must be logged in to the server \(Unauthorized\)/);
    }
  });
});
