import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
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
  before(async () => {
    rt = new FakeRuntime({ images: [IMG] });
    h = await startAgentHarness(rt, { crashBackoff: { initialMs: 4000, maxMs: 8000 } });
  });
  after(async () => {
    await h.stop();
    rt.close();
  });

  it('does not retry a failed RunPodSandbox before its back-off ends, whatever wakes the worker', async () => {
    rt.failNext('RunPodSandbox', 'plugin type="bridge" failed (add): failed to set bridge addr');
    await h.createPod('nosandbox', { containers: [{ name: 'app', image: IMG }] });
    await h.waitPod('nosandbox', () => sandboxCalls(rt) === 1);
    const failedAt = Date.now();
    for (let i = 0; !(await h.events('nosandbox')).some((e) => e.reason === 'FailedCreatePodSandBox' && /failed to set bridge addr/.test(e.message ?? '')); i++) {
      assert.ok(i < 40, 'a FailedCreatePodSandBox event');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Pod updates wake the worker; none of them may retry within the back-off.
    for (let i = 0; i < 5; i++) {
      await h.client.pods<Pod>('default').patch('nosandbox', 'merge', { metadata: { labels: { kick: String(i) } } });
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(Date.now() - failedAt < 4000, 'still within the back-off');
    assert.equal(sandboxCalls(rt), 1, rt.calls.join(' '));
    // After it, the retry succeeds and the pod runs.
    await h.waitPod('nosandbox', (p) => p.status?.phase === 'Running', 15_000);
    assert.equal(sandboxCalls(rt), 2);
    assert.ok(Date.now() - failedAt >= 3900);
  });
});
