import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { eventually } from '../../testing/eventually.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentHarness, type AgentHarness } from '../testing/agent-harness.js';

/**
 * A pod whose sandbox cannot be created is retried after a back-off, not on every wake-up of its
 * worker: with containerd each failed RunPodSandbox can leave a sandbox and a network namespace
 * behind, and the relist that sees it (or any pod update) used to retry at once, every second.
 */

const IMG = 'bosun.test/busybox:1';
const sandboxCalls = (rt: FakeRuntime) => rt.calls.filter((c) => c.startsWith('RunPodSandbox')).length;

describe('sandbox creation back-off', () => {
  let rt: FakeRuntime;
  let h: AgentHarness;
  // Pod workers' wake-ups and the back-off run on this clock; it starts at the wall time, as back-offs
  // compare it with the runtime's timestamps.
  const clock = new FakeClock(Date.now());
  before(async () => {
    rt = new FakeRuntime({ images: [IMG] });
    h = await startAgentHarness(rt, { crashBackoff: { initialMs: 4000, maxMs: 8000 }, clock });
  });
  after(async () => {
    await h.stop();
    rt.close();
  });

  it('does not retry a failed RunPodSandbox before its back-off ends, whatever wakes the worker', async () => {
    rt.failNext('RunPodSandbox', 'plugin type="bridge" failed (add): failed to set bridge addr');
    await h.createPod('nosandbox', { containers: [{ name: 'app', image: IMG }] });
    await h.waitPod('nosandbox', () => sandboxCalls(rt) === 1);
    await eventually(async () => (await h.events('nosandbox')).some((e) => e.reason === 'FailedCreatePodSandBox'
      && e.message === 'Failed to create pod sandbox: rpc error: code = Unknown desc = plugin type="bridge" failed (add): failed to set bridge addr'), 'a FailedCreatePodSandBox event in the kubelet\'s words');
    // Pod updates wake the worker; none of them may retry within the back-off.
    const kicked = (i: number) => h.agent.pods.activePods().some((p) => p.metadata.name === 'nosandbox' && p.metadata.labels?.kick === String(i));
    for (let i = 0; i < 5; i++) {
      await h.client.pods<Pod>('default').patch('nosandbox', 'merge', { metadata: { labels: { kick: String(i) } } });
      await eventually(() => kicked(i), `the agent saw update ${i}`); // and woke the pod's worker with it
      clock.advance(799); // 5 x 799 ms: still inside the 4 s back-off
    }
    assert.equal(sandboxCalls(rt), 1, rt.calls.join(' '));
    // The worker wakes 50 ms after the back-off ends (sync-pod.ts): 4000 + 50 - 5 x 799 = 55 ms to go.
    clock.advance(54);
    assert.equal(sandboxCalls(rt), 1, 'not a millisecond early');
    assert.equal(clock.pendingTimers, 1, "the worker's wake-up at the back-off's end");
    clock.advance(1);
    // After it, the retry succeeds and the pod runs.
    await h.waitPod('nosandbox', (p) => p.status?.phase === 'Running', 15_000);
    assert.equal(sandboxCalls(rt), 2);
  });
});
