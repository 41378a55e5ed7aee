/**
 * Upstream's sig-cli conformance tests of kubectl (test/e2e/kubectl/kubectl.go), step by step, with
 * the real kubectl 1.32 (its own --cache-dir) against a whole control plane and a simulated node:
 * version, api-versions, cluster-info, describe of pod/rc/service/node/namespace, expose, label,
 * patch, run, replace, diff, server-side dry-run, `kubectl proxy` on port 0 and on a unix socket,
 * and (not conformance upstream) create quota.
 * The pods are objects the simulated node reports Running: where upstream also reads a container's
 * log (expose waits for agnhost's "Paused") that step is left out; everything kubectl shows is checked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../api/kinds/index.js';
import { parseQuantity } from '../api/quantity/quantity.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { kubectlOk } from '../testing/kubectl-ok.js';
import { KUBECTL } from '../testing/test-cluster.js';
import { simClusterForFile } from './testing/sim-cluster.js';

const NS = 'cf-kubectl';
const cluster = simClusterForFile({ namespace: NS, nodes: { count: 1 } });
const k = (args: string[], input?: string) => kubectlOk(cluster, ['-n', NS, ...args], input === undefined ? undefined : { input });
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const BUSYBOX = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';

/** test/e2e/testing-manifests/kubectl/agnhost-primary-controller.json.in and -service.json. */
const agnhostController = JSON.stringify({
  kind: 'ReplicationController', apiVersion: 'v1', metadata: { name: 'agnhost-primary', labels: { app: 'agnhost', role: 'primary' } },
  spec: {
    replicas: 1, selector: { app: 'agnhost', role: 'primary' },
    template: { metadata: { labels: { app: 'agnhost', role: 'primary' } }, spec: { containers: [{ name: 'agnhost-primary', image: AGNHOST, args: ['guestbook', '--http-port', '6379'], ports: [{ name: 'agnhost-server', containerPort: 6379 }] }] } },
  },
});
const agnhostService = JSON.stringify({
  kind: 'Service', apiVersion: 'v1', metadata: { name: 'agnhost-primary', labels: { app: 'agnhost', role: 'primary' } },
  spec: { ports: [{ port: 6379, targetPort: 'agnhost-server' }], selector: { app: 'agnhost', role: 'primary' } },
});

/** checkOutput (checkOutputReturnError): each group's first string on a line after the previous group's, the rest on that line. */
function checkOutput(output: string, required: string[][]): void {
  const lines = output.split('\n');
  let at = 0;
  for (const [first, ...rest] of required) {
    while (at < lines.length && !lines[at]!.includes(first!)) at++;
    assert.ok(at < lines.length, `failed to find ${first} in:\n${output}`);
    for (const item of rest) assert.ok(lines[at]!.includes(item), `failed to find ${item} in ${lines[at]}`);
  }
}
const pods = (selector: string) => cluster.client.pods<Pod>(NS).list({ labelSelector: selector }).then((l) => l.items);
/** waitForOrFailWithDebug(1): the RC's one pod Running. */
const agnhostRunning = () => eventually(async () => { const [p] = await pods('app=agnhost'); return p?.status?.phase === 'Running' && p; }, 'the agnhost-primary pod running', 20_000);
/** The framework deletes the namespace after each test: here the test's objects, its pods (by `selector`) waited for. */
async function cleanup(kinds: string, selector: string): Promise<void> {
  await k(['delete', kinds, '--all', '--wait=false']);
  await eventually(async () => (await pods(selector)).length === 0, `the pods of ${selector} gone`, 20_000);
}

test('[sig-cli] Kubectl client Kubectl version should check is all data is printed [Conformance]', async () => {
  const out = await k(['version']);
  for (const item of ['Client Version: ', 'Server Version: ']) assert.match(out, new RegExp(`${item}v\\d\\.\\d+\\.[\\d\\w\\-.+]+`), out);
});

test('[sig-cli] Kubectl client Kubectl api-versions should check if v1 is in available api versions [Conformance]', async () => {
  assert.match(await k(['api-versions']), /^v1$/m);
});

test('[sig-cli] Kubectl client Kubectl cluster-info should check if Kubernetes control plane services is included in cluster-info [Conformance]', async () => {
  const out = await k(['cluster-info']);
  for (const item of ['Kubernetes control plane', 'is running at']) assert.ok(out.includes(item), out);
});

test('[sig-cli] Kubectl client Kubectl describe should check if kubectl describe prints relevant information for rc and pods [Conformance]', async () => {
  await k(['create', '-f', '-'], agnhostController);
  await k(['create', '-f', '-'], agnhostService);
  try {
    const pod = await agnhostRunning();
    checkOutput(await k(['describe', 'pod', pod.metadata.name!]), [
      ['Name:', 'agnhost-primary-'], ['Namespace:', NS], ['Node:'], ['Labels:', 'app=agnhost'], ['role=primary'], ['Annotations:'],
      ['Status:', 'Running'], ['IP:'], ['Controlled By:', 'ReplicationController/agnhost-primary'], ['Image:', AGNHOST], ['State:', 'Running'], ['QoS Class:', 'BestEffort'],
    ]);
    const rcRequired = [
      ['Name:', 'agnhost-primary'], ['Namespace:', NS], ['Selector:', 'app=agnhost,role=primary'], ['Labels:', 'app=agnhost'], ['role=primary'], ['Annotations:'],
      ['Replicas:', '1 current', '1 desired'], ['Pods Status:', '1 Running', '0 Waiting', '0 Succeeded', '0 Failed'], ['Pod Template:'], ['Image:', AGNHOST], ['Events:'],
    ];
    // checkKubectlOutputWithRetry: the RC's status catches up with its pod.
    await eventually(async () => { checkOutput(await k(['describe', 'rc', 'agnhost-primary']), rcRequired); return true; }, 'describe rc', { timeoutMs: 20_000, retryErrors: true });
    checkOutput(await k(['describe', 'service', 'agnhost-primary']), [
      ['Name:', 'agnhost-primary'], ['Namespace:', NS], ['Labels:', 'app=agnhost'], ['role=primary'], ['Annotations:'], ['Selector:', 'app=agnhost', 'role=primary'],
      ['Type:', 'ClusterIP'], ['IP:'], ['Port:', '<unset>', '6379/TCP'], ['Endpoints:'], ['Session Affinity:', 'None'],
    ]);
    const node = (await cluster.client.nodes().list()).items[0]!.metadata.name!;
    checkOutput(await k(['describe', 'node', node]), [
      ['Name:', node], ['Labels:'], ['Annotations:'], ['CreationTimestamp:'], ['Conditions:'], ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
      ['Addresses:'], ['Capacity:'], ['Version:'], ['Kernel Version:'], ['OS Image:'], ['Container Runtime Version:'], ['Kubelet Version:'], ['Kube-Proxy Version:'], ['Pods:'],
    ]);
    checkOutput(await k(['describe', 'namespace', NS]), [['Name:', NS], ['Labels:'], ['Annotations:'], ['Status:', 'Active']]);
  } finally {
    await cleanup('rc,service', 'app=agnhost');
  }
});

test('[sig-cli] Kubectl client Kubectl expose should create services for rc [Conformance]', async () => {
  await k(['create', '-f', '-'], agnhostController);
  try {
    await agnhostRunning();
    const validateService = async (name: string, servicePort: number) => {
      await eventually(async () => {
        const slices = (await cluster.client.resource(resources.endpointslices, NS).list({ labelSelector: `kubernetes.io/service-name=${name}` })).items as { endpoints?: { targetRef?: { uid?: string } }[]; ports?: { port?: number }[] }[];
        const byUid = slices.flatMap((s) => (s.endpoints ?? []).map((e) => [e.targetRef?.uid, (s.ports ?? []).map((p) => p.port)] as const));
        if (byUid.length === 0) return false;
        assert.equal(byUid.length, 1, 'too many endpoints');
        assert.equal(byUid[0]![1][0], 6379, 'endpoint port');
        return true;
      }, `endpoints of ${name}`, 20_000);
      const svc = await cluster.client.services<Service>(NS).get(name);
      assert.equal(svc.spec?.ports?.length, 1);
      assert.equal(svc.spec!.ports![0]!.port, servicePort);
      assert.equal(svc.spec!.ports![0]!.targetPort, 6379);
    };
    await k(['expose', 'rc', 'agnhost-primary', '--name=rm2', '--port=1234', '--target-port=6379']);
    await validateService('rm2', 1234);
    await k(['expose', 'service', 'rm2', '--name=rm3', '--port=2345', '--target-port=6379']);
    await validateService('rm3', 2345);
  } finally {
    await cleanup('rc,service', 'app=agnhost');
  }
});

test('[sig-cli] Kubectl client Kubectl label should update the label on a resource [Conformance]', async () => {
  // test/e2e/testing-manifests/kubectl/pause-pod.yaml.in
  await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pause', labels: { name: 'pause' } }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] } }));
  try {
    await eventually(async () => (await cluster.client.pods<Pod>(NS).get('pause')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 'pause ready', 20_000);
    await k(['label', 'pods', 'pause', 'testing-label=testing-label-value']);
    assert.ok((await k(['get', 'pod', 'pause', '-L', 'testing-label'])).includes('testing-label-value'));
    await k(['label', 'pods', 'pause', 'testing-label-']);
    assert.ok(!(await k(['get', 'pod', 'pause', '-L', 'testing-label'])).includes('testing-label-value'));
  } finally {
    await cleanup('pods', 'name=pause');
  }
});

test('[sig-cli] Kubectl client Kubectl patch should add annotations for pods in rc [Conformance]', async () => {
  await k(['create', '-f', '-'], agnhostController);
  try {
    await agnhostRunning();
    for (const p of await pods('app=agnhost')) await k(['patch', 'pod', p.metadata.name!, '-p', '{"metadata":{"annotations":{"x":"y"}}}']);
    for (const p of await pods('app=agnhost')) assert.equal(p.metadata.annotations?.x, 'y', 'Added annotation not found');
  } finally {
    await cleanup('rc', 'app=agnhost');
  }
});

test('[sig-cli] Kubectl client Kubectl run pod should create a pod from an image when restart is Never [Conformance]', async () => {
  await k(['run', 'e2e-test-httpd-pod', '--restart=Never', '--pod-running-timeout=2m0s', `--image=${HTTPD}`]);
  try {
    const pod = await cluster.client.pods<Pod>(NS).get('e2e-test-httpd-pod');
    assert.deepEqual(pod.spec!.containers.map((c) => c.image), [HTTPD]);
    assert.equal(pod.spec!.restartPolicy, 'Never');
  } finally {
    await cleanup('pods', 'run=e2e-test-httpd-pod');
  }
});

test('[sig-cli] Kubectl client Kubectl replace should update a single-container pod\'s image [Conformance]', async () => {
  await k(['run', 'e2e-test-httpd-pod', `--image=${HTTPD}`, '--pod-running-timeout=2m0s', '--labels=run=e2e-test-httpd-pod']);
  try {
    await eventually(async () => (await pods('run=e2e-test-httpd-pod'))[0]?.status?.phase === 'Running', 'the pod running', 20_000);
    const podJSON = await k(['get', 'pod', 'e2e-test-httpd-pod', '-o', 'json']);
    assert.ok(podJSON.includes('e2e-test-httpd-pod'));
    await k(['replace', '-f', '-'], podJSON.replace(HTTPD, BUSYBOX));
    assert.deepEqual((await cluster.client.pods<Pod>(NS).get('e2e-test-httpd-pod')).spec!.containers.map((c) => c.image), [BUSYBOX]);
  } finally {
    await cleanup('pods', 'run=e2e-test-httpd-pod');
  }
});

test('[sig-cli] Kubectl client Kubectl diff should check if kubectl diff finds a difference for Deployments [Conformance]', async () => {
  // test/e2e/testing-manifests/kubectl/httpd-deployment3.yaml.in
  const deployment = (image: string) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'httpd-deployment', labels: { app: 'httpd' } },
    spec: { selector: { matchLabels: { app: 'httpd' } }, template: { metadata: { labels: { app: 'httpd' } }, spec: { containers: [{ name: 'httpd', image, ports: [{ containerPort: 80 }] }] } } },
  });
  await k(['create', '-f', '-'], deployment(HTTPD));
  try {
    // Not upstream's: the rollout settled first, else kubectl diff's patch (with the resourceVersion it
    // read) meets the controller's status writes and kubectl retries for seconds (4 conflicts, then unlocked).
    await eventually(async () => { const d = await cluster.client.deployments(NS).get('httpd-deployment'); return d.status?.observedGeneration === 1 && d.status.availableReplicas === 1; }, 'the rollout done', 20_000);
    const r = await cluster.kubectl(['-n', NS, 'diff', '-f', '-'], { input: deployment(BUSYBOX) });
    assert.equal(r.code, 1, `kubectl diff exits 1 when it finds a difference: ${r.stderr}`);
    for (const item of [HTTPD, BUSYBOX]) assert.ok(r.stdout.includes(item), `missing ${item} in:\n${r.stdout}`);
  } finally {
    await k(['delete', '-f', '-', '--wait=false'], deployment(BUSYBOX));
  }
});

test('[sig-cli] Kubectl client Kubectl server-side dry-run should check if kubectl can dry-run update Pods [Conformance]', async () => {
  await k(['run', 'e2e-test-httpd-pod', `--image=${HTTPD}`, '--pod-running-timeout=2m0s', '--labels=run=e2e-test-httpd-pod']);
  try {
    await k(['patch', 'pod', 'e2e-test-httpd-pod', '-p', JSON.stringify({ spec: { containers: [{ name: 'e2e-test-httpd-pod', image: BUSYBOX }] } }), '--dry-run=server']);
    assert.deepEqual((await cluster.client.pods<Pod>(NS).get('e2e-test-httpd-pod')).spec!.containers.map((c) => c.image), [HTTPD]);
  } finally {
    await cleanup('pods', 'run=e2e-test-httpd-pod');
  }
});

/** `kubectl proxy ARGS` until its first line of output (the listening address), then `use` it; killed after. */
async function withProxy<T>(args: string[], use: (firstLine: string) => Promise<T>): Promise<T> {
  const child = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, '--cache-dir', cluster.cacheDir, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; if (out.includes('\n')) resolve(out.split('\n')[0]!); });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.once('exit', (code) => reject(new Error(`kubectl proxy exited ${code}: ${err}`)));
    });
    return await use(first);
  } finally {
    child.kill();
    await exited;
  }
}
/** getAPIVersions: GET /api/ through the proxy (TCP port or unix socket). */
const getApiVersions = (o: { port?: number; socketPath?: string }) => new Promise<{ versions: string[] }>((resolve, reject) => {
  request({ host: '127.0.0.1', ...o, path: '/api/' }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as { versions: string[] }) : reject(new Error(`${res.statusCode}: ${body}`))));
  }).on('error', reject).end();
});

test('[sig-cli] Kubectl client Proxy server should support proxy with --port 0 [Conformance]', async () => {
  const versions = await withProxy(['-p', '0', '--disable-filter'], async (line) => {
    const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(line);
    assert.ok(m, line);
    return getApiVersions({ port: Number(m[1]) });
  });
  assert.ok(versions.versions.length >= 1, JSON.stringify(versions));
});

test('[sig-cli] Kubectl client Proxy server should support --unix-socket=/path [Conformance]', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-proxy-unix'));
  try {
    const path = join(dir, 'test');
    const versions = await withProxy([`--unix-socket=${path}`], () => getApiVersions({ socketPath: path }));
    assert.ok(versions.versions.length >= 1, JSON.stringify(versions));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('[sig-cli] Kubectl client Kubectl create quota should create a quota without scopes', async () => {
  await k(['create', 'quota', 'million', '--hard=pods=1000000,services=1000000']);
  const quota = await cluster.client.resource(resources.resourcequotas, NS).get('million') as { spec: { hard: Record<string, string>; scopes?: string[] } };
  assert.deepEqual(quota.spec.scopes ?? [], []);
  // Compared as quantities, as upstream's Cmp: the API writes 1000000 in canonical form (1M).
  assert.deepEqual(Object.keys(quota.spec.hard).sort(), ['pods', 'services']);
  for (const r of ['pods', 'services']) assert.ok(parseQuantity(quota.spec.hard[r]!).equals(parseQuantity('1000000')), `${r}=${quota.spec.hard[r]}`);
  await k(['delete', 'quota', 'million']);
});

test('[sig-cli] Kubectl client Kubectl create quota should create a quota with scopes', async () => {
  await k(['create', 'quota', 'scopes', '--hard=pods=1000000', '--scopes=BestEffort,NotTerminating']);
  const quota = await cluster.client.resource(resources.resourcequotas, NS).get('scopes') as { spec: { scopes?: string[] } };
  assert.deepEqual([...(quota.spec.scopes ?? [])].sort(), ['BestEffort', 'NotTerminating']);
  await k(['delete', 'quota', 'scopes']);
});

test('[sig-cli] Kubectl client Kubectl create quota should reject quota with invalid scopes', async () => {
  const r = await cluster.kubectl(['-n', NS, 'create', 'quota', 'scopes', '--hard=hard=pods=1000000', '--scopes=Foo']);
  assert.notEqual(r.code, 0, `kubectl create quota should fail: ${r.stdout}`);
  await assert.rejects(cluster.client.resource(resources.resourcequotas, NS).get('scopes'), 'nothing was created');
});
