import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentHarness, type AgentHarness } from '../testing/agent-harness.js';
import { podSignature } from './pleg.js';

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
});
