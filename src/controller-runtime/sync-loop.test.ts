/**
 * The debounced, single-flight sync loop: coalescing, one follow-up for changes during a sync, retry
 * after failure with doubling, capped backoff. Time is a FakeClock: each step moves it exactly, and
 * `settle()` lets the syncs the fired timers started finish (they do no I/O).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './clock/fake-clock.js';
import { MAX_RETRY_MS, SyncLoop } from './sync-loop.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('SyncLoop', () => {
  it('coalesces a burst of triggers into one sync, debounceMs after the first', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const loop = new SyncLoop(async () => void runs++, { debounceMs: 20, clock });
    for (let i = 0; i < 10; i++) {
      loop.trigger();
      clock.advance(1);
    }
    clock.advance(9);
    await settle();
    assert.equal(runs, 0, 'nothing before the debounce has passed');
    clock.advance(1);
    await settle();
    assert.equal(runs, 1);
    clock.advance(1000);
    await settle();
    assert.equal(runs, 1, 'one sync for the whole burst');
    await loop.stop();
  });

  it('triggers during a sync cause exactly one more sync', async () => {
    const clock = new FakeClock();
    let runs = 0;
    let release!: () => void;
    const loop = new SyncLoop(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    }, { debounceMs: 5, clock });
    loop.trigger();
    clock.advance(5);
    await settle();
    assert.equal(runs, 1);
    for (let i = 0; i < 5; i++) loop.trigger();
    release();
    await settle();
    assert.equal(runs, 1, 'the follow-up waits its debounce');
    clock.advance(5);
    await settle();
    assert.equal(runs, 2);
    clock.advance(1000);
    await settle();
    assert.equal(runs, 2);
    await loop.stop();
  });

  it('retries a failed sync without another trigger, backing off from retryMs, doubling, up to MAX_RETRY_MS', async () => {
    const clock = new FakeClock();
    const runsAt: number[] = [];
    const errors: unknown[] = [];
    const start = clock.now();
    const loop = new SyncLoop(async () => {
      runsAt.push(clock.now() - start);
      if (runsAt.length < 9) throw new Error('nft failed');
    }, { debounceMs: 5, retryMs: 100, onError: (e) => errors.push(e), clock });
    loop.trigger();
    for (let t = 0; t < 40_000; t++) {
      clock.advance(1);
      await settle();
      if (runsAt.length === 9) break;
    }
    // 5 (debounce), then waits of 100, 200, ..., 6400 and one capped at 10 s.
    const waits = runsAt.slice(1).map((t, i) => t - runsAt[i]!);
    assert.deepEqual(waits, [100, 200, 400, 800, 1600, 3200, 6400, MAX_RETRY_MS]);
    assert.equal(runsAt[0], 5);
    assert.equal(errors.length, 8);
    clock.advance(60_000);
    await settle();
    assert.equal(runsAt.length, 9, 'a success ends the retries');
    await loop.stop();
    loop.trigger();
    clock.advance(60_000);
    await settle();
    assert.equal(runsAt.length, 9, 'nothing after stop()');
    assert.equal(clock.pendingTimers, 0);
  });

  it('stop() cancels a pending retry', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const loop = new SyncLoop(async () => {
      runs++;
      throw new Error('nft failed');
    }, { debounceMs: 5, retryMs: 100, clock });
    loop.trigger();
    clock.advance(5);
    await settle();
    assert.equal(runs, 1);
    assert.equal(clock.pendingTimers, 1, 'a retry is scheduled');
    await loop.stop();
    clock.advance(60_000);
    await settle();
    assert.equal(runs, 1);
  });
});
