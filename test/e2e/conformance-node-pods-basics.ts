/**
 * Upstream's [sig-node] Pods conformance tests (test/e2e/common/node/pods.go, and test/e2e/node/pods.go's
 * QOS class), declared into the describe of conformance-node-pods.test.ts so they share its node and
 * namespace. The WebSocket tests speak the exec and log subresources' channel protocols directly.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { WebSocket } from 'ws';
import type { Pod } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  BUSYBOX, busyboxPod, expectContainerOutput, isRunningReady, SLEEP_FOREVER, uniqueName, waitForPod, type NodeConformance,
} from './conformance-node-harness.js';
import { condition, ctr, podOf } from './conformance-node-pods-harness.js';

/** Creates a sleeping busybox pod with `labels` and waits until it is Running and Ready. */
async function createRunning(c: NodeConformance, name: string, labels?: Record<string, string>): Promise<Pod> {
  await c.client.pods(c.ns).create({ ...busyboxPod(name, { command: SLEEP_FOREVER }), metadata: { name, labels } });
  return waitForPod(c, name, 'Running and Ready', (p) => isRunningReady(p) && p);
}

/** e2ewebsocket.OpenWebSocketForURL: every message of a WebSocket GET of `path` (admin credentials) until the server closes it. */
function websocketMessages(c: NodeConformance, path: string, protocol: string): Promise<Buffer[]> {
  const pki = join(c.node.dataDir, 'pki');
  const url = `${c.node.url.replace(/^https/, 'wss')}${path}`;
  const ws = new WebSocket(url, [protocol], { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) });
  const messages: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`websocket ${path}: no close within 30 s`)); }, 30_000);
    ws.on('message', (d: Buffer) => messages.push(d));
    ws.on('unexpected-response', (_req, res) => { clearTimeout(timer); reject(new Error(`websocket ${path}: HTTP ${res.statusCode}`)); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('close', () => { clearTimeout(timer); resolve(messages); });
  });
}

/** Declares the pods.go tests in the caller's describe; `ctx` is read once its node has started. */
export function podsConformanceTests(ctx: () => NodeConformance): void {
  // pods.go
  it('[sig-node] Pods should get a host IP [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-hostip');
    const p = await createRunning(c, name);
    assert.match(p.status!.hostIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(p.status!.hostIPs?.[0]?.ip, p.status!.hostIP);
  });

  it('[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-submit-remove');
    const selector = `time=${name}`;
    const pods = c.client.pods(c.ns);
    const before = await pods.list({ labelSelector: selector });
    assert.equal(before.items.length, 0);
    const w = await pods.watch({ labelSelector: selector, resourceVersion: before.metadata.resourceVersion });
    const events: string[] = [];
    let deletionSeen = false;
    const watching = (async () => {
      for await (const ev of w) {
        events.push(ev.type);
        if (ev.type === 'MODIFIED' && ev.object.metadata.deletionTimestamp) deletionSeen = true;
        if (ev.type === 'DELETED') return;
      }
    })();
    try {
      await createRunning(c, name, { name: 'foo', time: name });
      await pods.delete(name, { gracePeriodSeconds: 30 });
      await watching;
    } finally {
      w.stop();
    }
    assert.equal(events[0], 'ADDED');
    assert.ok(deletionSeen, `a MODIFIED event with the deletion timestamp: ${events.join(',')}`);
    assert.equal(events.at(-1), 'DELETED');
    assert.equal((await pods.list({ labelSelector: selector })).items.length, 0);
  });

  it('[sig-node] Pods should be updated [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-update');
    const pods = c.client.pods(c.ns);
    await createRunning(c, name, { name: 'foo', time: name });
    const cur = await pods.get(name);
    await pods.update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, time: `${name}-updated` } } });
    assert.equal((await pods.list({ labelSelector: `time=${name}-updated` })).items.length, 1);
  });

  it('[sig-node] Pods should allow activeDeadlineSeconds to be updated [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-update-activedeadlineseconds');
    const pods = c.client.pods(c.ns);
    await createRunning(c, name, { name: 'foo', time: name });
    await pods.patch(name, 'strategic', { spec: { activeDeadlineSeconds: 5 } });
    const p = await waitForPod(c, name, 'Failed with DeadlineExceeded', (p) => p.status?.phase === 'Failed' && p);
    assert.equal(p.status!.reason, 'DeadlineExceeded');
  });

  it('[sig-node] Pods should contain environment variables for services [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const server = uniqueName('server-envvars');
    await c.client.pods(c.ns).create({ ...busyboxPod(server), metadata: { name: server, labels: { name: server } } });
    await waitForPod(c, server, 'Running', isRunningReady);
    const svc = await c.client.services(c.ns).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'fooservice', labels: { name: 'fooservice' } }, spec: { ports: [{ port: 8765, targetPort: 8080 }], selector: { name: server } } });
    const ip = svc.spec!.clusterIP!;
    await expectContainerOutput(c, busyboxPod(uniqueName('client-envvars'), { command: ['sh', '-c', 'env'] }), [
      `FOOSERVICE_SERVICE_HOST=${ip}`, 'FOOSERVICE_SERVICE_PORT=8765', `FOOSERVICE_PORT=tcp://${ip}:8765`, `FOOSERVICE_PORT_8765_TCP_PORT=8765`,
      'FOOSERVICE_PORT_8765_TCP_PROTO=tcp', `FOOSERVICE_PORT_8765_TCP=tcp://${ip}:8765`, `FOOSERVICE_PORT_8765_TCP_ADDR=${ip}`,
    ]);
  });

  it('[sig-node] Pods should delete a collection of pods [Conformance]', async () => {
    const c = ctx();
    const label = uniqueName('set');
    const pods = c.client.pods(c.ns);
    for (const i of [1, 2, 3]) await pods.create({ ...busyboxPod(`${label}-${i}`, { command: SLEEP_FOREVER }), metadata: { name: `${label}-${i}`, labels: { type: 'Testing', set: label } } });
    for (const i of [1, 2, 3]) await waitForPod(c, `${label}-${i}`, 'Running', isRunningReady);
    assert.equal((await pods.list({ labelSelector: `set=${label}` })).items.length, 3);
    await pods.deleteCollection({ labelSelector: `set=${label}` }, { gracePeriodSeconds: 1 });
    await eventually(async () => (await pods.list({ labelSelector: `set=${label}` })).items.length === 0, 'the collection gone', { timeoutMs: 60_000, intervalMs: 300 });
  });

  it('[sig-node] Pods should patch a pod status [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-status');
    await createRunning(c, name);
    const p = await c.client.pods(c.ns).patch(name, 'strategic', { metadata: { annotations: { patchedstatus: 'true' } }, status: { message: 'Patched by e2e test', reason: 'E2E' } }, { subresource: 'status' });
    assert.equal(p.metadata.annotations?.patchedstatus, 'true');
    assert.equal(p.status?.message, 'Patched by e2e test');
    assert.equal(p.status?.reason, 'E2E');
  });

  it('[sig-node] Pods should run through the lifecycle of Pods and PodStatus [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-test');
    const pods = c.client.pods(c.ns);
    const w = await pods.watch({ labelSelector: 'test-pod-static=true' });
    const seen: { type: string; pod: Pod }[] = [];
    const until = async (pred: (e: { type: string; pod: Pod }) => boolean, what: string) => eventually(() => seen.some(pred), what, { timeoutMs: 60_000, intervalMs: 100 });
    void (async () => { for await (const ev of w) seen.push({ type: ev.type, pod: ev.object }); })().catch(() => undefined);
    try {
      await pods.create({ ...busyboxPod(name, { command: SLEEP_FOREVER }), metadata: { name, labels: { 'test-pod-static': 'true' } } });
      await until((e) => e.type === 'ADDED' && e.pod.metadata.name === name, 'ADDED');
      await until((e) => e.pod.metadata.name === name && isRunningReady(e.pod), 'Running and Ready');
      await pods.patch(name, 'strategic', { metadata: { labels: { 'test-pod': 'patched' } }, spec: { containers: [{ name: 'test-container', image: BUSYBOX }] } });
      await until((e) => e.type === 'MODIFIED' && e.pod.metadata.labels?.['test-pod'] === 'patched', 'MODIFIED with the label');
      const all = await c.client.pods().list({ labelSelector: 'test-pod-static=true' });
      assert.ok(all.items.some((p) => p.metadata.name === name && p.metadata.labels?.['test-pod'] === 'patched'));
      const status = await c.client.raw<Pod>('GET', `/api/v1/namespaces/${c.ns}/pods/${name}/status`);
      assert.equal(status.metadata.name, name);
      // Ready and ContainersReady replaced by False through UpdateStatus (retried on conflicts with the node's writes).
      const isFalse = (p: Pod) => ['Ready', 'ContainersReady'].filter((t) => condition(p, t)?.status === 'False').length;
      const replaced = await eventually(async () => {
        const cur = await c.client.raw<Pod>('GET', `/api/v1/namespaces/${c.ns}/pods/${name}/status`);
        const conditions = (cur.status!.conditions ?? []).map((x) => (['Ready', 'ContainersReady'].includes(x.type) && x.status === 'True' ? { ...x, status: 'False' as const } : x));
        assert.equal(conditions.filter((x, i) => x.status !== cur.status!.conditions![i]!.status).length, 2, 'failed to patch all relevant Pod conditions');
        return pods.updateStatus({ ...cur, status: { ...cur.status, conditions } });
      }, 'the status replaced', { timeoutMs: 20_000, intervalMs: 200, retryErrors: true });
      assert.equal(isFalse(replaced), 2, JSON.stringify(replaced.status?.conditions));
      await pods.deleteCollection({ labelSelector: 'test-pod-static=true' }, { gracePeriodSeconds: 1 });
      await until((e) => e.type === 'DELETED' && e.pod.metadata.name === name, 'DELETED');
    } finally {
      w.stop();
    }
  });

  it('[sig-node] Pods Extended Pods Set QOS Class should be set on Pods with matching resource requests and limits for memory and cpu [Conformance]', async () => {
    const c = ctx();
    const resources = { limits: { cpu: '100m', memory: '100Mi' }, requests: { cpu: '100m', memory: '100Mi' } };
    const p = await c.client.pods(c.ns).create(busyboxPod(uniqueName('pod-qos-class'), { command: SLEEP_FOREVER, resources }));
    assert.equal(p.status?.qosClass, 'Guaranteed');
  });

  it('[sig-node] Pods should support remote command execution over websockets [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-exec-websocket');
    await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('main', ['/bin/sh', '-c', 'echo container is alive; sleep 600'])] }));
    await waitForPod(c, name, 'Running', isRunningReady);
    const q = 'stderr=1&stdout=1&container=main&command=echo&command=remote+execution+test';
    const messages = await websocketMessages(c, `/api/v1/namespaces/${c.ns}/pods/${name}/exec?${q}`, 'channel.k8s.io');
    let out = '';
    for (const m of messages) {
      if (m.length === 0) continue;
      // Only stdout (channel 1) carries data; another channel may send an empty message.
      if (m[0] !== 1) {
        assert.equal(m.length, 1, `a message that did not start with channel 1 (STDOUT): ${JSON.stringify([...m])}`);
        continue;
      }
      out += m.subarray(1).toString();
    }
    assert.ok(out.includes('remote execution test'), `expected 'remote execution test' in ${JSON.stringify(out)}`);
  });

  it('[sig-node] Pods should support retrieving logs from the container over websockets [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('pod-logs-websocket');
    await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('main', ['/bin/sh', '-c', 'echo container is alive; sleep 10000'])] }));
    await waitForPod(c, name, 'Running', isRunningReady);
    const messages = await websocketMessages(c, `/api/v1/namespaces/${c.ns}/pods/${name}/log?container=main`, 'binary.k8s.io');
    assert.equal(messages.filter((m) => m.toString().trim() !== '').map((m) => m.toString()).join(''), 'container is alive\n');
  });
}
