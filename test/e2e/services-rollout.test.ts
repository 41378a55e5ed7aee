/**
 * Readiness and rollouts through a ClusterIP on real containers (`bosun server`, kubectl 1.32):
 * a pod whose readiness probe starts failing (its file removed with kubectl exec) leaves the
 * Service's EndpointSlice within 2 seconds (timed with a watch) and receives no more requests;
 * under a steady bounded load through the ClusterIP (20 requests/s, each on a new connection),
 * `kubectl set image` on a 3-replica Deployment with readiness probes, then `kubectl scale` down,
 * complete with zero failed requests. The pods have a 2 s preStop sleep, as upstream's docs
 * recommend, so that a terminating pod keeps serving while every proxy stops sending it traffic.
 * Needs root; `npm run build` and scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/core/pod.js';
import type { EndpointSlice } from '../../src/api/kinds/discovery/endpoint-slice.js';
import { containerdPaths } from '../../src/agent/containerd/config.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor } from '../../src/testing/node-server.js';
import { hostnamesOf, httpGet, startServicesNode, steadyLoad, WHO_CONTAINER, type ServicesNode, stopServicesNode } from './services-harness.js';

let node: ServicesNode;
let client: KubeClient;

/** Ready only while /tmp/ready exists (created at start), so a test can make it not Ready. */
const FLAKY = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: flaky}
spec:
  replicas: 2
  selector: {matchLabels: {app: flaky}}
  template:
    metadata: {labels: {app: flaky}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:${WHO_CONTAINER.replace('mkdir -p /www/cgi-bin', 'touch /tmp/ready; mkdir -p /www/cgi-bin')}
        readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: flaky}
spec: {selector: {app: flaky}, ports: [{port: 80, targetPort: 8080}]}
`;

const ROLLING = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:${WHO_CONTAINER}
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, failureThreshold: 1}
        lifecycle: {preStop: {exec: {command: [sleep, '2']}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

async function readyPods(app: string): Promise<{ name: string; ip: string }[]> {
  const out = await node.k('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.metadata.deletionTimestamp} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
  return out.split('\n').map((l) => l.split(' ')).filter((f) => f[2] === '' && f[3] === 'True').map(([name, ip]) => ({ name: name!, ip: ip! }));
}

async function clusterIP(svc: string): Promise<string> {
  return node.k('get', 'svc', svc, '-o', 'jsonpath={.spec.clusterIP}');
}

describe('readiness and zero-downtime rollouts through a ClusterIP', { timeout: 240_000 }, () => {
  before(async () => {
    node = await startServicesNode();
    client = KubeClient.fromKubeconfig(node.kubeconfig);
    await node.kubectl(['apply', '-f', '-'], { input: `${FLAKY}---${ROLLING}` });
    await waitFor('ready pods', async () => (await readyPods('flaky')).length === 2 && (await readyPods('web')).length === 3, 90_000, 500);
  });
  after(async () => {
    client?.close();
    await stopServicesNode(node);
  });

  it('a pod that turns not Ready leaves the endpoints within 2 seconds and its traffic stops', async () => {
    const ip = await clusterIP('flaky');
    const [victim, other] = await readyPods('flaky');
    await waitFor('both flaky pods to answer', async () => new Set(await hostnamesOf(() => httpGet(ip, 80), 20)).size === 2, 10_000);

    const abort = new AbortController();
    let notReadyAt: number | undefined;
    const watching = client.resource<EndpointSlice>(resources.endpointslices, 'default').watchEach(
      { labelSelector: 'kubernetes.io/service-name=flaky', signal: abort.signal },
      (ev) => {
        const ep = ev.object.endpoints?.find((e) => e.addresses.includes(victim!.ip));
        if (notReadyAt === undefined && ev.type !== 'ERROR' && ep && ep.conditions?.ready === false) notReadyAt = Date.now();
      },
    ).catch(() => undefined);
    let podNotReadyAt: number | undefined;
    const watchingPod = client.resource<Pod>(resources.pods, 'default').watchEach(
      { fieldSelector: `metadata.name=${victim!.name}`, signal: abort.signal },
      (ev) => {
        const ready = ev.object.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        if (podNotReadyAt === undefined && ev.type !== 'ERROR' && ready === 'False') podNotReadyAt = Date.now();
      },
    ).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // the watches' initial ADDED events (ready) arrive first
    // The container stamps the moment the file is gone (same clock as ours): kubectl's own start-up is not counted.
    // (busybox date has no sub-second format; the kernel's uptime is shared with the container.)
    const stamp = await node.k('exec', victim!.name, '--', 'sh', '-c', 'rm /tmp/ready && cat /proc/uptime');
    const uptimeNow = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const removedAt = Date.now() - Math.round((uptimeNow - Number(stamp.trim().split(' ')[0])) * 1000);
    await waitFor('the victim to be not ready in the slice', () => notReadyAt !== undefined, 10_000, 20);
    abort.abort();
    await Promise.all([watching, watchingPod]);
    const ms = notReadyAt! - removedAt;
    console.log(`# endpoint removal: ${ms} ms after the readiness file was deleted (pod Ready=False after ${podNotReadyAt! - removedAt} ms)`);
    assert.ok(ms <= 2000, `the not-Ready pod left the endpoints after ${ms} ms (bound: 2000 ms)`);

    // The proxy applies endpoint changes within a second; then nothing reaches the victim.
    await new Promise((r) => setTimeout(r, 1000));
    const seen = await hostnamesOf(() => httpGet(ip, 80), 30);
    assert.deepEqual([...new Set(seen)], [other!.name], `30 requests after removal reached ${[...new Set(seen)].join(', ')}`);
  });

  it('kubectl set image under steady load: zero failed requests', async () => {
    const ip = await clusterIP('web');
    // A second tag of the same image in the node's containerd: a real new template, no registry.
    const sock = containerdPaths(join(node.dataDir, 'node', 'containerd')).socket;
    execFileSync('ctr', ['--address', sock, '-n', 'k8s.io', 'images', 'tag', '--force', 'bosun.test/busybox:1', 'bosun.test/busybox:2']);
    const before = new Set((await readyPods('web')).map((p) => p.name));

    const load = steadyLoad(() => httpGet(ip, 80), 20);
    await new Promise((r) => setTimeout(r, 1000));
    await node.k('set', 'image', 'deployment/web', 'web=bosun.test/busybox:2');
    await node.k('rollout', 'status', 'deployment/web', '--timeout=90s');
    await new Promise((r) => setTimeout(r, 3000)); // the old pods' preStop and termination
    const r = await load.stop();
    console.log(`# set image: ${r.sent} requests, ${r.ok} ok, ${r.failures.length} failed; by pod ${JSON.stringify(Object.fromEntries(r.byHost))}`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.ok, r.sent);
    const after = (await readyPods('web')).map((p) => p.name);
    assert.equal(after.length, 3);
    assert.ok(after.every((n) => !before.has(n)), 'every pod was replaced');
    assert.ok([...r.byHost.keys()].some((h) => before.has(h)) && after.some((h) => r.byHost.has(h)), 'the load was served by old and new pods');
  });

  it('kubectl scale down under steady load: zero failed requests', async () => {
    const ip = await clusterIP('web');
    const load = steadyLoad(() => httpGet(ip, 80), 20);
    await new Promise((r) => setTimeout(r, 1000));
    await node.k('scale', 'deployment/web', '--replicas=1');
    await waitFor('one web pod left', async () => (await node.k('get', 'pods', '-l', 'app=web', '-o', 'name')).trim().split('\n').length === 1, 60_000, 250);
    await new Promise((r) => setTimeout(r, 1000));
    const r = await load.stop();
    console.log(`# scale down: ${r.sent} requests, ${r.ok} ok, ${r.failures.length} failed; by pod ${JSON.stringify(Object.fromEntries(r.byHost))}`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.ok, r.sent);
    assert.ok(r.byHost.size >= 2, 'the load reached the scaled-down pods before they went');
  });
});
