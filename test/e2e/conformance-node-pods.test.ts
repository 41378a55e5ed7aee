/**
 * Upstream's [sig-node] conformance tests of pods' lives on real containers (one compiled `bosun
 * server` and its node for the file, tests in parallel): test/e2e/common/node/pods.go,
 * init_container.go, lifecycle_hook.go, container_probe.go, runtime.go (restart policies),
 * runtimeclass.go and test/e2e/node/pods.go (QOS). agnhost mapped to busybox:
 *  - `netexec` (the hook tests' server, which logs each request) is `nc -ll -e` running a script
 *    that prints the request line to stderr (the container log) and answers 200;
 *  - `liveness` (/healthz 200 for a while, then errors, the socket staying open) is httpd serving
 *    a healthz file a background shell removes after 3 s;
 *  - `pause` is a shell sleeping until TERM.
 * The probe tests use upstream's probes with shorter delays and periods (seconds instead of 15-30 s)
 * to keep the file within CI's budget; "never restarted" is checked after the container has run
 * many probe periods, "never ready" after several recorded probe failures.
 * Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { Container, Pod } from '../../src/api/kinds/index.js';
import type { KubeObject } from '../../src/api/meta.js';
import { resources } from '../../src/client/resource-ref.js';
import { walkLifecycle } from '../../src/conformance/testing/api-lifecycle.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  BUSYBOX, busyboxPod, createAndWatchUntil, expectContainerOutput, isRunningReady, podLogs, SLEEP_FOREVER, uniqueName, useConformanceNode, waitForPod,
  type NodeConformance,
  CONCURRENCY,
} from './conformance-node-harness.js';

const ctr = (name: string, command: string[], extra: Partial<Container> = {}): Container => ({ name, image: BUSYBOX, command, ...extra });
const podOf = (name: string, spec: Partial<NonNullable<Pod['spec']>>, labels?: Record<string, string>): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { terminationGracePeriodSeconds: 1, containers: [], ...spec } });
const condition = (p: Pod, type: string) => p.status?.conditions?.find((x) => x.type === type);
const gone = (c: NodeConformance, name: string) =>
  eventually(async () => (await c.client.pods(c.ns).list({ fieldSelector: `metadata.name=${name}` })).items.length === 0, `pod ${name} gone`, { timeoutMs: 60_000, intervalMs: 300 });

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

/** Waits until the container has been running for `seconds` (many probe periods), then returns the pod. */
async function afterRunning(c: NodeConformance, name: string, seconds: number): Promise<Pod> {
  const started = await waitForPod(c, name, 'container started', (p) => p.status?.containerStatuses?.[0]?.state?.running?.startedAt);
  return waitForPod(c, name, `running for ${seconds}s`, (p) => Date.now() - Date.parse(started) >= seconds * 1000 && p, 60_000);
}

/** agnhost netexec's request log: the server pod's log lines. */
const HANDLER_SCRIPT = 'read l; echo "$l" >&2; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok"';
const HANDLER_CMD = ['sh', '-c', `printf '%s\\n' '#!/bin/sh' '${HANDLER_SCRIPT.replace(/'/g, "'\\''")}' > /tmp/h.sh; chmod +x /tmp/h.sh; exec nc -ll -p 8080 -e /tmp/h.sh`];

/** agnhost liveness: /healthz answers 200 for 3 s, then 404; the socket stays open. */
const LIVENESS_CMD = ['sh', '-c', 'mkdir -p /w; echo ok > /w/healthz; (sleep 3; rm /w/healthz) & exec httpd -f -p 8080 -h /w'];

// Twice the harness's bound: most of these tests wait on the node's timers (probe periods, back-off,
// activeDeadlineSeconds) rather than start pods.
describe('[sig-node] conformance: pods', { concurrency: 2 * CONCURRENCY, timeout: 300_000 }, () => {
  const ctx = useConformanceNode('cf-node-pods');

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

  // runtime.go
  it('[sig-node] Container Runtime blackbox test when starting a container that exits should run with the expected status [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    // It fails at the 1st run, succeeds at the 2nd, then runs for ever (the count kept in a memory emptyDir).
    const script = 'f=/restart-count/restartCount\ncount=$(echo \'hello\' >> $f ; wc -l $f | awk {\'print $1\'})\nif [ $count -eq 1 ]; then\n\texit 1\nfi\nif [ $count -eq 2 ]; then\n\texit 0\nfi\nwhile true; do sleep 1; done\n';
    const cases = [
      { name: 'terminate-cmd-rpa', restartPolicy: 'Always', phase: 'Running', state: 'running', restartCount: 2, ready: true },
      { name: 'terminate-cmd-rpof', restartPolicy: 'OnFailure', phase: 'Succeeded', state: 'terminated', restartCount: 1, ready: false },
      { name: 'terminate-cmd-rpn', restartPolicy: 'Never', phase: 'Failed', state: 'terminated', restartCount: 0, ready: false },
    ] as const;
    await Promise.all(cases.map(async (tc) => {
      const name = uniqueName(tc.name);
      await c.client.pods(c.ns).create(podOf(name, {
        restartPolicy: tc.restartPolicy, volumes: [{ name: 'restart-count', emptyDir: { medium: 'Memory' } }],
        containers: [ctr(tc.name, ['sh', '-c', script], { volumeMounts: [{ name: 'restart-count', mountPath: '/restart-count' }] })],
      }));
      await waitForPod(c, name, `restartCount ${tc.restartCount}`, (p) => p.status?.containerStatuses?.[0]?.restartCount === tc.restartCount);
      const p = await waitForPod(c, name, `phase ${tc.phase}`, (p) => p.status?.phase === tc.phase && (tc.phase !== 'Running' || isRunningReady(p)) && p);
      assert.equal(condition(p, 'Ready')?.status === 'True', tc.ready);
      const st = p.status!.containerStatuses![0]!;
      assert.equal(st.restartCount, tc.restartCount);
      assert.ok(st.state?.[tc.state], `${tc.name}: state ${tc.state}: ${JSON.stringify(st.state)}`);
      await c.client.pods(c.ns).delete(name);
      await gone(c, name);
    }));
  });

  // init_container.go: the containerInitInvariant of every observed state (init containers in
  // order, each done before the next starts; no app container before all of them succeeded).
  const checkInitInvariant = (seen: Pod[]) => {
    for (const p of seen) {
      const inits = p.status?.initContainerStatuses ?? [];
      const appStarted = (p.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated);
      if (appStarted) for (const s of inits) assert.equal(s.state?.terminated?.exitCode, 0, `app container started before init ${s.name} succeeded`);
      inits.forEach((s, i) => {
        if (i > 0 && (s.state?.running || s.state?.terminated)) assert.equal(inits[i - 1]!.state?.terminated?.exitCode, 0, `init ${s.name} started before ${inits[i - 1]!.name} succeeded`);
      });
    }
  };
  // Both invoke-init-containers tests: the invariant held throughout, and at the end the pod is
  // Initialized with its two init containers ready and exited 0.
  const expectInitsSucceeded = (pod: Pod, seen: Pod[]) => {
    checkInitInvariant(seen);
    assert.equal(condition(pod, 'Initialized')?.status, 'True');
    assert.equal(pod.status!.initContainerStatuses!.length, 2);
    for (const s of pod.status!.initContainerStatuses!) {
      assert.ok(s.ready, `init container ${s.name} should be in Ready status`);
      assert.equal(s.state?.terminated?.exitCode, 0);
    }
  };
  const initPod = (restartPolicy: 'Never' | 'Always', init1: string, init2: string, run1: string[]) => podOf(uniqueName('pod-init'), {
    restartPolicy, initContainers: [ctr('init1', [init1]), ctr('init2', [init2])], containers: [ctr('run1', run1)],
  }, { name: 'foo', time: String(Date.now()) });

  it('[sig-node] InitContainer [NodeConformance] should invoke init containers on a RestartNever pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Never', '/bin/true', '/bin/true', ['/bin/true']), [(p) => p.status?.phase === 'Succeeded']);
    expectInitsSucceeded(pod, seen);
  });

  it('[sig-node] InitContainer [NodeConformance] should invoke init containers on a RestartAlways pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Always', '/bin/true', '/bin/true', SLEEP_FOREVER), [(p) => p.status?.phase === 'Running']);
    expectInitsSucceeded(pod, seen);
    await c.client.pods(c.ns).delete(pod.metadata.name!);
  });

  it('[sig-node] InitContainer [NodeConformance] should not start app containers if init containers fail on a RestartAlways pod [Conformance]', async () => {
    const c = ctx();
    const waitingInitializing = (p: Pod) => {
      for (const s of p.status?.containerStatuses ?? []) assert.equal(s.state?.waiting?.reason, 'PodInitializing', `container ${s.name} should wait with PodInitializing: ${JSON.stringify(s.state)}`);
      const inits = p.status?.initContainerStatuses ?? [];
      if (inits.length !== 2) return false;
      assert.equal(inits[1]!.state?.waiting?.reason, 'PodInitializing', `second init container: ${JSON.stringify(inits[1]!.state)}`);
      assert.ok(!(inits[0]!.state?.terminated?.exitCode === 0), 'first init container should have exitCode != 0');
      return true;
    };
    const { pod, seen } = await createAndWatchUntil(c, initPod('Always', '/bin/false', '/bin/true', SLEEP_FOREVER), [
      (p) => waitingInitializing(p) && !!p.status!.initContainerStatuses![0]!.lastState?.terminated,
      // Upstream "verify we get two restarts" (it waits for a count of 3: the kubelet's back-off of 10 s
      // then 20 s would add 20 s to this file for the third).
      (p) => waitingInitializing(p) && p.status!.initContainerStatuses![0]!.restartCount! >= 2,
    ]);
    checkInitInvariant(seen);
    assert.equal(pod.status?.phase, 'Pending');
    const init = condition(pod, 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init1 init2]');
    assert.equal(pod.status!.initContainerStatuses!.length, 2);
    await c.client.pods(c.ns).delete(pod.metadata.name!);
  });

  it('[sig-node] InitContainer [NodeConformance] should not start app containers and fail the pod if init containers fail on a RestartNever pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Never', '/bin/true', '/bin/false', ['/bin/true']), [(p) => {
      for (const s of p.status?.containerStatuses ?? []) assert.equal(s.state?.waiting?.reason, 'PodInitializing', `app container ${s.name} started: ${JSON.stringify(s.state)}`);
      const inits = p.status?.initContainerStatuses ?? [];
      if (inits.length !== 2 || !inits[1]!.state?.terminated) return false;
      assert.equal(inits[0]!.state?.terminated?.exitCode, 0, 'first init container should have exitCode 0');
      assert.notEqual(inits[1]!.state!.terminated!.exitCode, 0, 'second init container should have a non-zero exit code');
      return p.status?.phase === 'Failed';
    }]);
    checkInitInvariant(seen);
    assert.equal(pod.status?.phase, 'Failed');
    const init = condition(pod, 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init2]');
  });

  // lifecycle_hook.go: a handler pod logs each request; the hook calls it.
  const hookCase = (title: string, hook: (ip: string) => object, msg: 'poststart' | 'prestop'): void => {
    it(`[sig-node] Container Lifecycle Hook when create a pod with lifecycle hook should execute ${title} hook properly [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const handler = uniqueName('pod-handle-http-request');
      await c.client.pods(c.ns).create(podOf(handler, { containers: [ctr('container-handle-http-request', HANDLER_CMD)] }));
      const ip = (await waitForPod(c, handler, 'Running', (p) => isRunningReady(p) && p)).status!.podIP!;
      const name = uniqueName(`pod-with-${msg}-hook`);
      const lifecycle = msg === 'poststart' ? { postStart: hook(ip) } : { preStop: hook(ip) };
      await c.client.pods(c.ns).create(podOf(name, { containers: [ctr(`pod-with-${msg}-hook`, SLEEP_FOREVER, { lifecycle })] }));
      await waitForPod(c, name, 'Running', isRunningReady);
      const logged = () => eventually(async () => (await podLogs(c, handler, 'container-handle-http-request')).includes(`GET /echo?msg=${msg}`), `the handler to log GET /echo?msg=${msg}`, { timeoutMs: 30_000, intervalMs: 300 });
      if (msg === 'poststart') await logged();
      await c.client.pods(c.ns).delete(name, { gracePeriodSeconds: 15 });
      await gone(c, name);
      if (msg === 'prestop') await logged();
    });
  };
  const execHook = (msg: string) => (ip: string) => ({ exec: { command: ['sh', '-c', `wget -qO- "http://${ip}:8080/echo?msg=${msg}"`] } });
  hookCase('poststart exec', execHook('poststart'), 'poststart');
  hookCase('prestop exec', execHook('prestop'), 'prestop');
  hookCase('poststart http', (ip) => ({ httpGet: { host: ip, port: 8080, path: '/echo?msg=poststart' } }), 'poststart');
  hookCase('prestop http', (ip) => ({ httpGet: { host: ip, port: 8080, path: '/echo?msg=prestop' } }), 'prestop');

  // test/e2e/node/pre_stop.go: agnhost nettest's /write (state kept, read back through /read) is the
  // request logger; the POST the tester's preStop makes must reach it before the tester is gone.
  it('[sig-node] PreStop should call prestop when killing a pod [Conformance]', async () => {
    const c = ctx();
    const server = uniqueName('server');
    await c.client.pods(c.ns).create(podOf(server, { containers: [ctr('agnhost-container', HANDLER_CMD)] }));
    const ip = (await waitForPod(c, server, 'Running', (p) => isRunningReady(p) && p)).status!.podIP!;
    const tester = uniqueName('tester');
    const preStop = { exec: { command: ['wget', '-O-', '--post-data={"Source": "prestop"}', `http://${ip}:8080/write`] } };
    await c.client.pods(c.ns).create(podOf(tester, { containers: [ctr('tester', SLEEP_FOREVER, { lifecycle: { preStop } })] }));
    await waitForPod(c, tester, 'Running', isRunningReady);
    await c.client.pods(c.ns).delete(tester);
    await gone(c, tester);
    assert.ok((await podLogs(c, server, 'agnhost-container')).includes('POST /write'), 'the server received the prestop POST');
  });

  // container_probe.go
  it('[sig-node] Probing container with readiness probe should not be ready before initial delay and never restart [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('test-webserver');
    const initialDelaySeconds = 5;
    await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('test-webserver', ['httpd', '-f', '-p', '8080', '-h', '/www'], { readinessProbe: { httpGet: { path: '/', port: 8080 }, initialDelaySeconds, periodSeconds: 1 } })] }));
    const p = await waitForPod(c, name, 'Ready', (p) => isRunningReady(p) && p);
    const readyTime = Date.parse(condition(p, 'Ready')!.lastTransitionTime!);
    const startedTime = Date.parse(p.status!.containerStatuses![0]!.state!.running!.startedAt!);
    assert.ok(readyTime - startedTime >= initialDelaySeconds * 1000, `ready ${readyTime - startedTime} ms after the start, before the ${initialDelaySeconds}s initial delay`);
    assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
  });

  it('[sig-node] Probing container with readiness probe that fails should never be ready and never restart [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('test-webserver');
    await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('test-webserver', ['httpd', '-f', '-p', '8080', '-h', '/www'], { readinessProbe: { exec: { command: ['/bin/false'] }, periodSeconds: 1 } })] }));
    // Instead of upstream's minute of Consistently: until the node has recorded 5 failed probes.
    await eventually(async () => {
      const evs = await c.client.events(c.ns).list({ fieldSelector: `involvedObject.name=${name},reason=Unhealthy` });
      return evs.items.reduce((n, e) => n + ((e as { count?: number }).count ?? 1), 0) >= 5;
    }, 'five readiness probe failures recorded', { timeoutMs: 60_000, intervalMs: 500 });
    const p = await c.client.pods(c.ns).get(name);
    assert.notEqual(condition(p, 'Ready')?.status, 'True', 'pod should not be ready');
    assert.equal(p.status!.containerStatuses![0]!.ready, false);
    assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
  });

  const livenessCase = (title: string, command: string[], livenessProbe: object, restarts: 0 | 1): void => {
    it(`[sig-node] Probing container ${title} [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const name = uniqueName('liveness');
      await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('container', command, { livenessProbe })] }));
      if (restarts === 1) {
        const p = await waitForPod(c, name, 'restarted once', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p);
        assert.equal(p.status!.containerStatuses![0]!.restartCount, 1);
      } else {
        const p = await afterRunning(c, name, 10);
        assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
      }
    });
  };
  const probe = (handler: object) => ({ ...handler, initialDelaySeconds: 1, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 1 });
  livenessCase('should be restarted with a exec "cat /tmp/health" liveness probe', ['/bin/sh', '-c', 'echo ok >/tmp/health; sleep 3; rm -rf /tmp/health; sleep 600'], probe({ exec: { command: ['cat', '/tmp/health'] } }), 1);
  livenessCase('should *not* be restarted with a exec "cat /tmp/health" liveness probe', ['/bin/sh', '-c', 'echo ok >/tmp/health; sleep 600'], probe({ exec: { command: ['cat', '/tmp/health'] } }), 0);
  livenessCase('should be restarted with a /healthz http liveness probe', LIVENESS_CMD, probe({ httpGet: { path: '/healthz', port: 8080 } }), 1);
  livenessCase('should *not* be restarted with a /healthz http liveness probe', ['httpd', '-f', '-p', '8080', '-h', '/www'], probe({ httpGet: { path: '/', port: 8080 } }), 0);
  livenessCase('should *not* be restarted with a tcp:8080 liveness probe', LIVENESS_CMD, probe({ tcpSocket: { port: 8080 } }), 0);

  // node_lifecycle.go: a fake Node (no allocatable pods, so nothing is scheduled to it).
  it('[sig-node] Node Lifecycle should run through the lifecycle of a node [Conformance]', async () => {
    const c = ctx();
    const nodes = c.client.resource(resources.nodes);
    const name = uniqueName('e2e-fake-node');
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { phase: 'Running', conditions: [{ status: 'True', message: 'Set from e2e test', reason: 'E2E', type: 'Ready' }] } } as never);
    try {
      assert.equal((await nodes.get(name)).metadata.name, name);
      const patched = await nodes.patch(name, 'strategic', { metadata: { labels: { [name]: 'patched' } } });
      assert.equal(patched.metadata.labels?.[name], 'patched');
      assert.deepEqual((await nodes.list({ labelSelector: `${name}=patched` })).items.map((n) => n.metadata.name), [name]);
      const updated = await eventually(async () => {
        const cur = await nodes.get(name);
        return nodes.update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [name]: 'updated' } } });
      }, 'the node updated', { retryErrors: true });
      assert.equal(updated.metadata.labels?.[name], 'updated');
    } finally {
      await nodes.delete(name);
    }
    await eventually(async () => nodes.get(name).then(() => false, (e: { status?: { code?: number } }) => e.status?.code === 404), 'the node deleted');
  });

  // runtimeclass.go
  const runtimeClasses = () => ctx().client.resource(resources.runtimeclasses);
  const rcPod = (rc: string) => busyboxPod(uniqueName('test-runtimeclass'), { command: SLEEP_FOREVER }, { runtimeClassName: rc });
  const expectForbidden = async (p: Promise<unknown>) => assert.rejects(p, (e: { status?: { code?: number } }) => e.status?.code === 403);

  it('[sig-node] RuntimeClass should reject a Pod requesting a non-existent RuntimeClass [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    await expectForbidden(c.client.pods(c.ns).create(rcPod(`${c.ns}-nonexistent`)));
  });

  it('[sig-node] RuntimeClass should reject a Pod requesting a deleted RuntimeClass [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const rc = `${c.ns}-delete-me`;
    await runtimeClasses().create({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: rc }, handler: 'runc' } as KubeObject as never);
    await runtimeClasses().delete(rc);
    await eventually(async () => runtimeClasses().get(rc).then(() => false, (e: { status?: { code?: number } }) => e.status?.code === 404), 'the RuntimeClass gone');
    await expectForbidden(c.client.pods(c.ns).create(rcPod(rc)));
  });

  for (const overhead of [false, true]) {
    it(`[sig-node] RuntimeClass should schedule a Pod requesting a RuntimeClass ${overhead ? 'and initialize its Overhead' : 'without PodOverhead'} [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const rc = `${c.ns}-preconfigured-${overhead ? 'overhead' : 'plain'}`;
      await runtimeClasses().create({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: rc }, handler: 'runc', ...(overhead ? { overhead: { podFixed: { cpu: '10m', memory: '1Mi' } } } : {}) } as KubeObject as never);
      const created = await c.client.pods(c.ns).create(rcPod(rc));
      if (overhead) assert.deepEqual(created.spec?.overhead, { cpu: '10m', memory: '1Mi' });
      else assert.equal(created.spec?.overhead, undefined);
      await waitForPod(c, created.metadata.name!, 'scheduled', (p) => !!p.spec?.nodeName && condition(p, 'PodScheduled')?.status === 'True');
      await c.client.pods(c.ns).delete(created.metadata.name!);
      await runtimeClasses().delete(rc);
    });
  }

  it('[sig-node] RuntimeClass should support RuntimeClasses API operations [Conformance]', async () => {
    const c = ctx();
    await walkLifecycle(c.client, { ref: resources.runtimeclasses, make: (name, labels) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name, labels }, handler: 'runc' } as KubeObject) }, `${c.ns}-rc`);
  });
});
