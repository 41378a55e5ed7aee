import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { eventually } from '../../testing/eventually.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentHarness, type AgentHarness } from '../testing/agent-harness.js';

/**
 * Sidecar containers (KEP-753: init containers with restartPolicy Always) on the fake runtime,
 * as upstream kubelet runs them: computeInitContainerActions (kuberuntime_container.go) for start
 * order and restarts, computePodActions' KillPod when no regular container is left, and
 * kuberuntime_termination_order.go for stopping sidecars after the app in reverse order.
 */

const IMG = 'bosun.test/busybox:1';
const ics = (p: Pod, name: string) => p.status?.initContainerStatuses?.find((c) => c.name === name);
const cs = (p: Pod, name: string) => p.status?.containerStatuses?.find((c) => c.name === name);
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sidecar containers on the fake runtime', () => {
  let rt: FakeRuntime;
  let h: AgentHarness;
  before(async () => {
    rt = new FakeRuntime({ images: [IMG] });
    h = await startAgentHarness(rt, { crashBackoff: { initialMs: 300, maxMs: 1200 } });
  });
  after(async () => {
    await h.stop();
    rt.close();
  });

  it('a sidecar that never exits does not block init: it starts, then the next init container, then the app', async () => {
    rt.setBehaviour('s1-setup', { exitCode: 0, afterMs: 30 });
    const before = rt.calls.length;
    await h.createPod('s1', {
      initContainers: [{ name: 's1-proxy', image: IMG, restartPolicy: 'Always' }, { name: 's1-setup', image: IMG }],
      containers: [{ name: 's1-main', image: IMG }],
    });
    const p = await h.waitPod('s1', (p) => cond(p, 'Ready') === 'True' && p);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(cond(p, 'Initialized'), 'True');
    assert.equal(cond(p, 'ContainersReady'), 'True');
    const order = rt.calls.slice(before).filter((c) => /^CreateContainer:s1-/.test(c));
    assert.deepEqual(order, ['CreateContainer:s1-proxy', 'CreateContainer:s1-setup', 'CreateContainer:s1-main']);
    const proxy = ics(p, 's1-proxy')!;
    assert.ok(proxy.state?.running, 'the sidecar keeps running');
    assert.equal(proxy.started, true);
    assert.equal(proxy.ready, true);
    assert.equal(proxy.restartCount, 0);
    assert.equal(ics(p, 's1-setup')?.state?.terminated?.reason, 'Completed');
    assert.ok(cs(p, 's1-main')?.state?.running);
  });

  it('the next container waits for the sidecar startup probe', async () => {
    let up = false;
    rt.onExec((_id, cmd) => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: cmd[0] === 's2-started?' && !up ? 1 : 0 }));
    await h.createPod('s2', {
      initContainers: [{ name: 's2-proxy', image: IMG, restartPolicy: 'Always', startupProbe: { exec: { command: ['s2-started?'] }, periodSeconds: 1, failureThreshold: 30 } }],
      containers: [{ name: 's2-main', image: IMG }],
    });
    await h.waitPod('s2', (p) => ics(p, 's2-proxy')?.state?.running);
    await sleep(1500);
    const held = (await h.getPod('s2'))!;
    assert.equal(ics(held, 's2-proxy')?.started, false);
    assert.equal(cond(held, 'Initialized'), 'False');
    assert.equal(held.status?.phase, 'Pending');
    assert.equal(cs(held, 's2-main')?.state?.waiting?.reason, 'PodInitializing');
    assert.ok(!rt.calls.includes('CreateContainer:s2-main'), 'the app is not created before the sidecar started');
    up = true;
    const p = await h.waitPod('s2', (p) => cond(p, 'Ready') === 'True' && p);
    assert.equal(ics(p, 's2-proxy')?.started, true);
    assert.equal(cond(p, 'Initialized'), 'True');
  });

  it('an exiting sidecar is restarted with CrashLoopBackOff even with restartPolicy Never; the app is untouched', async () => {
    rt.setBehaviour('s3-proxy', { exitCode: 1, afterMs: 100 });
    await h.createPod('s3', {
      restartPolicy: 'Never',
      initContainers: [{ name: 's3-proxy', image: IMG, restartPolicy: 'Always' }],
      containers: [{ name: 's3-main', image: IMG }],
    });
    const p = await h.waitPod('s3', (p) => (ics(p, 's3-proxy')?.restartCount ?? 0) >= 2 && ics(p, 's3-proxy')?.state?.waiting?.reason === 'CrashLoopBackOff' && p, 20_000);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(cond(p, 'Initialized'), 'True', 'initialization is not undone by a restarting sidecar');
    assert.equal(cond(p, 'Ready'), 'False', 'an exited sidecar is not ready');
    assert.equal(ics(p, 's3-proxy')?.lastState?.terminated?.exitCode, 1);
    // A Go duration, as the kubelet prints backOff.Get(): 600ms, 10s, 1m20s.
    assert.match(ics(p, 's3-proxy')?.state?.waiting?.message ?? '', /^back-off (\d+ms|\d+(\.\d+)?s|\d+m\d+(\.\d+)?s) restarting failed container=s3-proxy pod=s3_default\(/);
    assert.ok(cs(p, 's3-main')?.state?.running);
    assert.equal(cs(p, 's3-main')?.restartCount, 0);
    const ev = await h.events('s3');
    assert.ok(ev.some((e) => e.reason === 'BackOff' && e.message?.startsWith('Back-off restarting failed container s3-proxy in pod s3_default(')));
  });

  it('liveness failures restart a sidecar; readiness drives Ready', async () => {
    let live = false;
    let ready = false;
    rt.onExec((_id, cmd) => {
      const fail = (cmd[0] === 's4-live?' && !live) || (cmd[0] === 's4-ready?' && !ready);
      return { stdout: Buffer.from(fail ? 'no' : ''), stderr: Buffer.alloc(0), exitCode: fail ? 1 : 0 };
    });
    await h.createPod('s4', {
      initContainers: [{
        name: 's4-proxy', image: IMG, restartPolicy: 'Always',
        livenessProbe: { exec: { command: ['s4-live?'] }, periodSeconds: 1, failureThreshold: 1 },
        readinessProbe: { exec: { command: ['s4-ready?'] }, periodSeconds: 1, failureThreshold: 1 },
      }],
      containers: [{ name: 's4-main', image: IMG }],
    });
    const restarted = await h.waitPod('s4', (p) => (ics(p, 's4-proxy')?.restartCount ?? 0) >= 1 && p);
    live = true;
    assert.equal(ics(restarted, 's4-proxy')?.lastState?.terminated?.exitCode, 143);
    const ev = await h.events('s4');
    assert.ok(ev.some((e) => e.reason === 'Killing' && e.message === 'Init container s4-proxy failed liveness probe'), JSON.stringify(ev.map((e) => e.message)));
    const notReady = await h.waitPod('s4', (p) => p.status?.phase === 'Running' && cs(p, 's4-main')?.ready === true && p);
    assert.equal(cond(notReady, 'Ready'), 'False', 'the sidecar is not ready yet');
    assert.equal(ics(notReady, 's4-proxy')?.ready, false);
    ready = true;
    const p = await h.waitPod('s4', (p) => cond(p, 'Ready') === 'True' && p);
    assert.equal(ics(p, 's4-proxy')?.ready, true);
  });

  it('a Job-like pod (Never) succeeds when its app exits 0: the running sidecar is stopped, not restarted', async () => {
    rt.setBehaviour('s5-main', { exitCode: 0, afterMs: 300 });
    const pod = await h.createPod('s5', {
      restartPolicy: 'Never',
      initContainers: [{ name: 's5-proxy', image: IMG, restartPolicy: 'Always' }],
      containers: [{ name: 's5-main', image: IMG }],
    });
    const p = await h.waitPod('s5', (p) => p.status?.phase === 'Succeeded' && p);
    assert.equal(cs(p, 's5-main')?.state?.terminated?.exitCode, 0);
    assert.ok(ics(p, 's5-proxy')?.state?.terminated, 'the sidecar was stopped');
    assert.equal(cond(p, 'Ready'), 'False');
    await sleep(800);
    const running = await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata.uid! }, state: 'CONTAINER_RUNNING' });
    assert.deepEqual(running, []);
    assert.equal(rt.calls.filter((c) => c === 'CreateContainer:s5-proxy').length, 1, 'the sidecar was not restarted');
    const main = rt.exits.find((e) => e.name === 's5-main')!;
    const proxy = rt.exits.find((e) => e.name === 's5-proxy')!;
    assert.ok(proxy.at >= main.at);
  });

  it('a Job-like pod (Never) whose app fails is Failed, its sidecar stopped', async () => {
    rt.setBehaviour('s6-main', { exitCode: 3, afterMs: 200 });
    await h.createPod('s6', {
      restartPolicy: 'Never',
      initContainers: [{ name: 's6-proxy', image: IMG, restartPolicy: 'Always' }],
      containers: [{ name: 's6-main', image: IMG }],
    });
    const p = await h.waitPod('s6', (p) => p.status?.phase === 'Failed' && p);
    assert.equal(cs(p, 's6-main')?.state?.terminated?.exitCode, 3);
    await h.waitPod('s6', (p) => ics(p, 's6-proxy')?.state?.terminated);
  });

  it('deletion stops the app first, then the sidecars in reverse order of declaration', async () => {
    // Each container takes a while to exit after SIGTERM: without ordering the quickest would go first.
    rt.setBehaviour('s7-a', { termDelayMs: 100 });
    rt.setBehaviour('s7-b', { termDelayMs: 150 });
    rt.setBehaviour('s7-main', { termDelayMs: 400 });
    const pod = await h.createPod('s7', {
      terminationGracePeriodSeconds: 10,
      initContainers: [{ name: 's7-a', image: IMG, restartPolicy: 'Always' }, { name: 's7-b', image: IMG, restartPolicy: 'Always' }],
      containers: [{ name: 's7-main', image: IMG }],
    });
    await h.waitPod('s7', (p) => cond(p, 'Ready') === 'True');
    await h.client.pods('default').delete('s7');
    await eventually(async () => !(await h.getPod('s7')), 'pod deleted', 15_000);
    const exits = rt.exits.filter((e) => e.name.startsWith('s7-'));
    assert.deepEqual(exits.map((e) => e.name), ['s7-main', 's7-b', 's7-a']);
    // 143 = SIGTERM; one the grace period ran out on would have been SIGKILLed (137).
    assert.deepEqual(exits.map((e) => e.exitCode), [143, 143, 143], 'each stopped by SIGTERM within the grace period');
    assert.deepEqual(await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata.uid! } }), []);
  });
});
