/** The debounced, single-flight sync loop: coalescing, one follow-up for changes during a sync, retry after failure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncLoop } from './sync-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SyncLoop', () => {
  it('coalesces a burst of triggers into one sync', async () => {
    let runs = 0;
    const loop = new SyncLoop(async () => void runs++, { debounceMs: 20 });
    for (let i = 0; i < 10; i++) loop.trigger();
    await sleep(80);
    assert.equal(runs, 1);
    await loop.stop();
  });

  it('triggers during a sync cause exactly one more sync', async () => {
    let runs = 0;
    let release!: () => void;
    const loop = new SyncLoop(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    }, { debounceMs: 5 });
    loop.trigger();
    await sleep(30);
    for (let i = 0; i < 5; i++) loop.trigger();
    release();
    await sleep(60);
    assert.equal(runs, 2);
    await loop.stop();
  });

  it('retries a failed sync without another trigger, and stop() ends it', async () => {
    let runs = 0;
    const errors: unknown[] = [];
    const loop = new SyncLoop(async () => {
      runs++;
      if (runs < 3) throw new Error('nft failed');
    }, { debounceMs: 5, retryMs: 5, onError: (e) => errors.push(e) });
    loop.trigger();
    await sleep(150);
    assert.equal(runs, 3);
    assert.equal(errors.length, 2);
    await loop.stop();
    loop.trigger();
    await sleep(30);
    assert.equal(runs, 3);
  });
});
