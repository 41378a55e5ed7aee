/**
 * Container health on a real node (the compiled `bosun server`, real containers, kubectl 1.32): a
 * failing liveness probe restarts the container with events saying why; a failing readiness probe
 * keeps the pod not Ready until it passes; a crashing container goes CrashLoopBackOff with a growing
 * back-off; a container over its memory limit is OOMKilled. The pods are created together up front
 * and each test waits for its own outcome. Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

let node: NodeServer;
/** Distinct CrashLoopBackOff messages of the crasher, in the order seen (polled from the start). */
const crashMessages: string[] = [];
let pollCrasher = true;
let crasherPoller: Promise<void> = Promise.resolve();

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: bosun.test/busybox:1
    livenessProbe:
      httpGet: {path: /missing.html, port: 8080}
      periodSeconds: 1
      failureThreshold: 2
---
apiVersion: v1
kind: Pod
metadata: {name: readiness}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: bosun.test/busybox:1
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: crash
    image: bosun.test/busybox:1
    command: [sh, -c, 'echo crashing; exit 3']
---
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: hog
    image: bosun.test/busybox:1
    # dd fills a 256 MiB buffer, far over the limit (after a moment: containerd watches for OOM
    # events only once the task runs, so an instant OOM kill would read as a plain exit 137).
    command: [sh, -c, 'sleep 1; dd if=/dev/zero of=/dev/null bs=256M count=4']
    resources:
      limits: {memory: 32Mi}
`;

async function getPod(name: string): Promise<Pod> {
  return JSON.parse(await node.k('get', 'pod', name, '-o', 'json')) as Pod;
}

const status0 = (p: Pod) => p.status?.containerStatuses?.[0];
const readyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

interface EventLite { reason?: string; message?: string; count?: number; involvedObject?: { name?: string } }
async function eventsFor(name: string): Promise<EventLite[]> {
  const list = JSON.parse(await node.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: EventLite[] };
  return list.items;
}

describe('container health on a real node', { timeout: 240_000 }, () => {
  before(async () => {
    node = await startNodeServer();
    const r = await node.kubectl(['apply', '-f', '-'], { input: PODS });
    assert.equal(r.code, 0, r.stderr);
    crasherPoller = (async () => {
      while (pollCrasher) {
        const w = status0(await getPod('crasher').catch(() => ({}) as Pod))?.state?.waiting;
        const m = w?.reason === 'CrashLoopBackOff' ? /back-off \S+/.exec(w.message ?? '')?.[0] : undefined;
        if (m && crashMessages.at(-1) !== m) crashMessages.push(m);
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
  });
  after(async () => {
    pollCrasher = false;
    await node?.forceCleanup();
  });

  it('restarts a container whose liveness probe fails, and says why', async () => {
    const first = await waitFor('liveness pod to run', async () => status0(await getPod('liveness'))?.containerID, 60_000);
    const p = await waitFor('a liveness restart', async () => {
      const pod = await getPod('liveness');
      return (status0(pod)?.restartCount ?? 0) >= 1 && pod;
    }, 60_000);
    assert.notEqual(status0(p)?.containerID, first, 'a new container replaced the old one');
    const events = await waitFor('the probe events', async () => {
      const ev = await eventsFor('liveness');
      return ev.some((e) => e.reason === 'Unhealthy') && ev.some((e) => e.reason === 'Killing') && ev;
    }, 20_000);
    assert.ok(events.some((e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? '')), JSON.stringify(events));
    assert.ok(events.some((e) => e.reason === 'Killing' && /liveness probe/.test(e.message ?? '')), JSON.stringify(events));
    const describe = await node.k('describe', 'pod', 'liveness');
    assert.match(describe, /Restart Count:\s+[1-9]/);
    assert.match(describe, /Liveness probe failed/);
  });

  it('keeps a pod not Ready while its readiness probe fails, and Ready once it passes', async () => {
    await waitFor('readiness pod Running', async () => (await getPod('readiness')).status?.phase === 'Running', 60_000);
    // Several probe periods: still not Ready, and never restarted (readiness does not kill).
    await new Promise((r) => setTimeout(r, 3000));
    let p = await getPod('readiness');
    assert.equal(readyCondition(p), 'False');
    assert.equal(status0(p)?.ready, false);
    assert.equal(status0(p)?.restartCount, 0);
    assert.match(await node.k('describe', 'pod', 'readiness'), /Readiness probe failed/);
    await node.k('exec', 'readiness', '--', 'touch', '/tmp/ready');
    p = await waitFor('readiness pod Ready', async () => {
      const pod = await getPod('readiness');
      return readyCondition(pod) === 'True' && pod;
    }, 20_000);
    assert.equal(status0(p)?.ready, true);
  });

  it('backs off a crashing container: CrashLoopBackOff with a growing delay', async () => {
    // The kubelet's back-off: 10 s after the first crash, then doubling with every restart attempt.
    // An attempt whose container start is slow past the next window (a loaded CI machine) doubles
    // it once more before a message shows, as on a kubelet (flowcontrol.Backoff.Next runs before
    // the start): CI once saw "back-off 20s, back-off 40s", the 10 s window never reaching the
    // status. So the first message is 10s or 20s and each later one a doubling of the one before;
    // the exact 10 s start is pinned by the unit tests (pleg-observed, pod-actions).
    await waitFor('a back-off then a longer one', () => crashMessages.length >= 2 && crashMessages, 90_000, 300);
    const seconds = crashMessages.slice(0, 2).map((m) => Number(/back-off (\d+)s/.exec(m)?.[1]));
    assert.ok([10, 20].includes(seconds[0]!), crashMessages.join(', '));
    assert.ok([2, 4, 8].includes(seconds[1]! / seconds[0]!), `a doubled delay: ${crashMessages.join(', ')}`);
    const cs = status0(await getPod('crasher'))!;
    assert.ok((cs.restartCount ?? 0) >= 2);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.match(await node.k('logs', 'crasher', '--previous'), /crashing/);
  });

  it('reports OOMKilled for a container over its memory limit', async () => {
    const p = await waitFor('the hog to be OOM killed', async () => {
      const pod = await getPod('hog');
      return status0(pod)?.state?.terminated && pod;
    }, 60_000);
    const t = status0(p)!.state!.terminated!;
    assert.equal(t.reason, 'OOMKilled', JSON.stringify(t));
    assert.equal(t.exitCode, 137);
    assert.equal(p.status?.phase, 'Failed');
  });

  it('leaves nothing behind after the pods are deleted and the server stops', async () => {
    // The crasher poller's kubectl (its command line names the data dir) must not count as left behind.
    pollCrasher = false;
    await crasherPoller;
    const { exitCode, leftovers } = await node.stop();
    assert.equal(exitCode, 0, node.output());
    assert.deepEqual(leftovers, { processes: [], netns: [], mounts: [], cgroups: [], nat: [], bridge: false });
  });
});
