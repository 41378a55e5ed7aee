import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentHarness, type AgentHarness } from '../testing/agent-harness.js';
import type { PodRuntimeState } from '../runtime/pod-state.js';
import { podSignature } from './pleg.js';
import { stoppedSince } from './pod-worker.js';

/**
 * The relist (PLEG) reports runtime changes the pod worker did not see. The sandbox and container a
 * worker just started are its own doing: they must not cost a second sync of the pod (every sync is
 * several CRI calls, made while other pods start). A change the worker did not make (a container
 * exiting) still wakes it.
 */

const IMG = 'bosun.test/busybox:1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('podSignature', () => {
  it('depends on ids and states, not on order', () => {
    const a = podSignature([{ id: 's1', state: 'SANDBOX_READY' }], [{ id: 'c1', state: 'CONTAINER_RUNNING' }, { id: 'c0', state: 'CONTAINER_EXITED' }]);
    const b = podSignature([{ id: 's1', state: 'SANDBOX_READY' }], [{ id: 'c0', state: 'CONTAINER_EXITED' }, { id: 'c1', state: 'CONTAINER_RUNNING' }]);
    assert.equal(a, b);
    assert.notEqual(a, podSignature([{ id: 's1', state: 'SANDBOX_READY' }], [{ id: 'c1', state: 'CONTAINER_EXITED' }, { id: 'c0', state: 'CONTAINER_EXITED' }]));
    assert.equal(podSignature([], []), '');
  });
});

describe('stoppedSince', () => {
  const st = (sandbox: string, ...containers: Array<[string, string]>) => ({
    uid: 'u', sandboxes: [{ id: 's1', state: sandbox }], containers: containers.map(([id, state]) => ({ id, state })),
  }) as unknown as PodRuntimeState;
  it('is true for a container or sandbox the first read saw live and the closing read sees stopped, whatever its finish time', () => {
    assert.equal(stoppedSince(st('SANDBOX_READY', ['c1', 'CONTAINER_RUNNING']), st('SANDBOX_READY', ['c1', 'CONTAINER_EXITED'])), true);
    assert.equal(stoppedSince(st('SANDBOX_READY'), st('SANDBOX_READY', ['c2', 'CONTAINER_EXITED'])), true, 'started by the sync, then crashed');
    assert.equal(stoppedSince(st('SANDBOX_READY', ['c1', 'CONTAINER_RUNNING']), st('SANDBOX_NOTREADY', ['c1', 'CONTAINER_RUNNING'])), true, 'the sandbox died');
  });
  it('is false when the closing read shows no stop the first read did not', () => {
    assert.equal(stoppedSince(st('SANDBOX_READY', ['c1', 'CONTAINER_EXITED']), st('SANDBOX_READY', ['c1', 'CONTAINER_EXITED'], ['c2', 'CONTAINER_RUNNING'])), false);
    assert.equal(stoppedSince(st('SANDBOX_NOTREADY'), st('SANDBOX_NOTREADY', ['c2', 'CONTAINER_CREATED'])), false);
  });
});

describe('relist after a pod start', () => {
  let rt: FakeRuntime;
  let h: AgentHarness;
  before(async () => {
    rt = new FakeRuntime({ images: [IMG] });
    // A long resync: any further sync in this test comes from the relist (every 200 ms).
    h = await startAgentHarness(rt, { resyncMs: 600_000 });
  });
  after(async () => {
    await h.stop();
    rt.close();
  });

  it('does not sync a pod again for the sandbox and container its own sync started', async () => {
    await h.createPod('quiet', { containers: [{ name: 'app', image: IMG }] });
    const cid = await h.waitPod('quiet', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.containerID);
    await sleep(1200); // six relists
    const id = String(cid).replace(/^\w+:\/\//, '');
    // One sync read the container's status once (at its end); a second sync would read it twice more.
    const reads = rt.calls.filter((c) => c === `ContainerStatus:${id}`).length;
    assert.equal(reads, 1, rt.calls.join(' '));
  });

  it('still wakes the worker for a change it did not make', async () => {
    const pod = await h.waitPod('quiet', (p) => p);
    const id = pod.status!.containerStatuses![0]!.containerID!.replace(/^\w+:\/\//, '');
    rt.exitContainer(id, 3);
    const st = await h.waitPod('quiet', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0]);
    assert.equal(st.lastState?.terminated?.exitCode, 3);
  });

  it('acts at once on a container that exits during the sync that started it: the crash shows as CrashLoopBackOff without waiting for a resync', async () => {
    // Exits inside StartContainer, before the sync's closing read of the runtime.
    rt.setBehaviour('crash', { exitCode: 3 });
    await h.createPod('crashy', { containers: [{ name: 'crash', image: IMG }] });
    const st = await h.waitPod('crashy', (p) => {
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.waiting?.reason === 'CrashLoopBackOff' && cs;
    });
    assert.match(st.state!.waiting!.message!, /^back-off 10s /);
  });

  /**
   * containerd's CRI plugin records a task's exit after the shim reported it (on a busy host, long
   * after): a sync can read a container running and, by its closing read, find it exited as of
   * before that sync began. That exit was not acted on, so the sync must not report the state as
   * seen: the relist would then never report it and the pod would wait for its resync (60 s).
   * Makes container `id` exit that way in the sync a label change on the pod starts.
   */
  const exitDuringNextSync = async (pod: string, id: string, exitCode: number) => {
    rt.exitContainerLate(id, exitCode, new Date(Date.now() - 1000));
    await h.client.pods('default').patch(pod, 'merge', { metadata: { labels: { resync: String(Date.now()) } } });
  };
  const containerId = (cs: { containerID?: string } | undefined) => cs?.containerID?.replace(/^\w+:\/\//, '');

  it('starts the next init container after one whose exit was recorded late, and fails a RestartNever pod whose init container failed', async () => {
    // The conformance test's pod: init1 (here it runs until it exits), init2 fails, run1 never starts.
    rt.setBehaviour('init2', { exitCode: 1 });
    await h.createPod('initlate', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'init1', image: IMG }, { name: 'init2', image: IMG }],
      containers: [{ name: 'run1', image: IMG }],
    });
    const id = await h.waitPod('initlate', (p) => p.status?.initContainerStatuses?.[0]?.state?.running && containerId(p.status.initContainerStatuses[0]));
    await exitDuringNextSync('initlate', id, 0);
    const st = await h.waitPod('initlate', (p) => p.status?.phase === 'Failed' && p.status);
    assert.equal(st.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(st.initContainerStatuses?.[1]?.state?.terminated?.exitCode, 1);
    assert.equal(st.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    assert.ok(!rt.calls.some((c) => c === 'CreateContainer:run1'), 'run1 was never created');
  });

  it('restarts a RestartAlways container whose exit was recorded late, then backs off its next crash', async () => {
    await h.createPod('alwayslate', { containers: [{ name: 'always', image: IMG }] });
    const first = await h.waitPod('alwayslate', (p) => p.status?.containerStatuses?.[0]?.state?.running && containerId(p.status.containerStatuses[0]));
    await exitDuringNextSync('alwayslate', first, 2);
    // The first restart is immediate (kubelet's back-off starts with the second).
    const second = await h.waitPod('alwayslate', (p) => {
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.running && cs.lastState?.terminated?.exitCode === 2 && containerId(cs);
    });
    await exitDuringNextSync('alwayslate', second, 3);
    const st = await h.waitPod('alwayslate', (p) => {
      const cs = p.status?.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && cs;
    });
    assert.equal(st.lastState?.terminated?.exitCode, 3);
    assert.match(st.state!.waiting!.message!, /^back-off 10s /);
  });

  it('reports a RestartNever pod Succeeded when its container\'s exit was recorded late', async () => {
    await h.createPod('neverlate', { restartPolicy: 'Never', containers: [{ name: 'once', image: IMG }] });
    const id = await h.waitPod('neverlate', (p) => p.status?.containerStatuses?.[0]?.state?.running && containerId(p.status.containerStatuses[0]));
    await exitDuringNextSync('neverlate', id, 0);
    const st = await h.waitPod('neverlate', (p) => p.status?.phase === 'Succeeded' && p.status);
    assert.equal(st.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  });
});
