/** The periodic image GC: kubelet's events on failure (ImageGCFailed only when repeated), off switch, clean stop. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startImageGC } from './image-gc-loop.js';
import { DEFAULT_IMAGE_GC_POLICY } from './image-gc-policy.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { eventuallyWith } from '../../testing/eventually.js';

const until = eventuallyWith({ timeoutMs: 5000, intervalMs: 10 });

describe('image GC loop', () => {
  it('records FreeDiskSpaceFailed on each failed pass and ImageGCFailed from the second failure in a row', async () => {
    const rt = new FakeRuntime();
    rt.setImageFs({ capacityBytes: 1000, otherUsedBytes: 950 }); // 95 %, nothing to remove
    const events: string[] = [];
    const loop = startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY }, periodMs: 20, log: quietLogger, nodeEvent: (reason) => events.push(reason) });
    assert.ok(loop);
    await until(() => events.length >= 3, `events: ${events.join(' ')}`);
    await loop.stop();
    assert.deepEqual(events.slice(0, 3), ['FreeDiskSpaceFailed', 'FreeDiskSpaceFailed', 'ImageGCFailed']);
    const passes = rt.calls.filter((c) => c === 'ImageFsInfo').length;
    await sleep(60);
    assert.equal(rt.calls.filter((c) => c === 'ImageFsInfo').length, passes, 'no pass after stop()');
  });

  it('records nothing while passes succeed', async () => {
    const rt = new FakeRuntime();
    const events: string[] = [];
    const loop = startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY }, periodMs: 10, log: quietLogger, nodeEvent: (reason) => events.push(reason) });
    await until(() => rt.calls.filter((c) => c === 'ImageFsInfo').length >= 3, 'three passes');
    await loop!.stop();
    assert.deepEqual(events, []);
  });

  it('does not start with a high threshold of 100 and no maximum age (the kubelet stubs image GC)', () => {
    const rt = new FakeRuntime();
    assert.equal(startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY, highThresholdPercent: 100 }, log: quietLogger, nodeEvent: () => {} }), undefined);
    assert.deepEqual(rt.calls, []);
  });
});
