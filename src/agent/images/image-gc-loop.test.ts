/**
 * The periodic image GC: kubelet's events on failure (ImageGCFailed only when repeated), off switch,
 * clean stop. Time is a FakeClock, so the loop runs at its real period (5 minutes) and the test
 * checks each pass's time exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startImageGC } from './image-gc-loop.js';
import { DEFAULT_IMAGE_GC_POLICY, IMAGE_GC_PERIOD_MS } from './image-gc-policy.js';
import { quietLogger } from '../../testing/quiet-logger.js';

/** Move the clock, then let the passes its timers started finish (the fake runtime does no I/O). */
async function pass(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await new Promise((r) => setImmediate(r));
}

describe('image GC loop', () => {
  it('passes at start and every period; FreeDiskSpaceFailed on each failed pass, ImageGCFailed from the second failure in a row; none after stop()', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime();
    rt.setImageFs({ capacityBytes: 1000, otherUsedBytes: 950 }); // 95 %, nothing to remove
    const events: string[] = [];
    const passes = () => rt.calls.filter((c) => c === 'ImageFsInfo').length;
    const loop = startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY }, log: quietLogger, nodeEvent: (reason) => events.push(reason), clock });
    assert.ok(loop);
    assert.equal(passes(), 0, 'the first pass is off the start path');
    await pass(clock, 0);
    assert.equal(passes(), 1);
    assert.deepEqual(events, ['FreeDiskSpaceFailed']);
    await pass(clock, IMAGE_GC_PERIOD_MS - 1);
    assert.equal(passes(), 1, 'no pass before the period');
    await pass(clock, 1);
    assert.equal(passes(), 2);
    assert.deepEqual(events, ['FreeDiskSpaceFailed', 'FreeDiskSpaceFailed', 'ImageGCFailed']);
    await pass(clock, IMAGE_GC_PERIOD_MS);
    assert.equal(passes(), 3);
    await loop.stop();
    assert.equal(clock.pendingTimers, 0);
    await pass(clock, 10 * IMAGE_GC_PERIOD_MS);
    assert.equal(passes(), 3, 'no pass after stop()');
  });

  it('records nothing while passes succeed', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime();
    const events: string[] = [];
    const loop = startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY }, periodMs: 10, log: quietLogger, nodeEvent: (reason) => events.push(reason), clock });
    for (let i = 0; i < 3; i++) await pass(clock, i === 0 ? 0 : 10);
    assert.equal(rt.calls.filter((c) => c === 'ImageFsInfo').length, 3);
    await loop!.stop();
    assert.deepEqual(events, []);
  });

  it('does not start with a high threshold of 100 and no maximum age (the kubelet stubs image GC)', () => {
    const rt = new FakeRuntime();
    assert.equal(startImageGC({ runtime: rt, policy: { ...DEFAULT_IMAGE_GC_POLICY, highThresholdPercent: 100 }, log: quietLogger, nodeEvent: () => {} }), undefined);
    assert.deepEqual(rt.calls, []);
  });
});
