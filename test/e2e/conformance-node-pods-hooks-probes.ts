/**
 * Upstream's [sig-node] Container Lifecycle Hook, PreStop and Probing container conformance tests
 * (test/e2e/common/node/lifecycle_hook.go, test/e2e/node/pre_stop.go, container_probe.go), declared
 * into the describe of conformance-node-pods.test.ts so they share its node and namespace. agnhost
 * mapped to busybox:
 *  - `netexec` (the hook tests' server, which logs each request) is `nc -ll -e` running a script
 *    that prints the request line to stderr (the container log) and answers 200;
 *  - `liveness` (/healthz 200 for a while, then errors, the socket staying open) is httpd serving
 *    a healthz file a background shell removes after 3 s;
 *  - `grpc-health-checking` (a grpc.health.v1 server on 5000) is Node.js running
 *    src/agent/probes/testdata/grpc-health-server.ts (bosun.test/node-operator:1, imported into the
 *    node by the first GRPC test).
 * The probe tests use upstream's probes with shorter delays and periods (seconds instead of 15-30 s)
 * to keep the file within CI's budget; "never restarted" is checked after the container has run
 * nine probe periods past the initial delay (upstream watches for 4 minutes; a restart comes one
 * failed probe after the delay, failureThreshold 1), "never ready" after several recorded probe failures.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import { isRunningReady, podLogs, SLEEP_FOREVER, uniqueName, waitForPod, type NodeConformance } from './conformance-node-harness.js';
import { importTestImage, NODE_IMAGE, type TestImage } from './conformance-node-images.js';
import { condition, ctr, gone, podOf } from './conformance-node-pods-harness.js';

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

/** Declares the hook, PreStop and probe tests in the caller's describe; `ctx` is read once its node has started. */
export function hookAndProbeConformanceTests(ctx: () => NodeConformance): void {
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

  const livenessCase = (title: string, command: string[], livenessProbe: { initialDelaySeconds: number }, restarts: 0 | 1, image?: TestImage): void => {
    it(`[sig-node] Probing container ${title} [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const name = uniqueName('liveness');
      if (image) await importTestImage(c.node, image);
      await c.client.pods(c.ns).create(podOf(name, { containers: [ctr('container', command, { livenessProbe, ...(image && { image: image.ref }) })] }));
      if (restarts === 1) {
        const p = await waitForPod(c, name, 'restarted once', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p);
        assert.equal(p.status!.containerStatuses![0]!.restartCount, 1);
      } else {
        // Nine probes (periodSeconds 1) after the initial delay.
        const p = await afterRunning(c, name, livenessProbe.initialDelaySeconds + 9);
        assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
      }
    });
  };
  const probe = (handler: object, initialDelaySeconds = 1) => ({ ...handler, initialDelaySeconds, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 1 });
  livenessCase('should be restarted with a exec "cat /tmp/health" liveness probe', ['/bin/sh', '-c', 'echo ok >/tmp/health; sleep 3; rm -rf /tmp/health; sleep 600'], probe({ exec: { command: ['cat', '/tmp/health'] } }), 1);
  livenessCase('should *not* be restarted with a exec "cat /tmp/health" liveness probe', ['/bin/sh', '-c', 'echo ok >/tmp/health; sleep 600'], probe({ exec: { command: ['cat', '/tmp/health'] } }), 0);
  livenessCase('should be restarted with a /healthz http liveness probe', LIVENESS_CMD, probe({ httpGet: { path: '/healthz', port: 8080 } }), 1);
  livenessCase('should *not* be restarted with a /healthz http liveness probe', ['httpd', '-f', '-p', '8080', '-h', '/www'], probe({ httpGet: { path: '/', port: 8080 } }), 0);
  livenessCase('should *not* be restarted with a tcp:8080 liveness probe', LIVENESS_CMD, probe({ tcpSocket: { port: 8080 } }), 0);
  // gRPCServerPodSpec: the server on 5000; the failing probe asks 2333, where nothing listens. Node
  // needs a moment to load the bundle and listen (busybox's servers start at once), so the first
  // probe of the "not restarted" case waits 5 s (upstream's delay is 15 s).
  const GRPC_HEALTH_CMD = ['/bin/node', '/grpc-health.mjs', '5000'];
  livenessCase('should *not* be restarted with a GRPC liveness probe', GRPC_HEALTH_CMD, probe({ grpc: { port: 5000 } }, 5), 0, NODE_IMAGE);
  livenessCase('should be restarted with a GRPC liveness probe', GRPC_HEALTH_CMD, probe({ grpc: { port: 2333 } }), 1, NODE_IMAGE);
}
