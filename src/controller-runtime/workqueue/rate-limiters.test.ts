import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock/fake-clock.js';
import {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter,
} from './rate-limiters.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';

test('ItemExponentialFailureRateLimiter: 5 ms doubling per item, capped, forget resets', () => {
  const rl = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  const table: [string, number][] = [['a', 5], ['a', 10], ['a', 20], ['b', 5], ['a', 40], ['b', 10]];
  for (const [item, want] of table) assert.equal(rl.when(item), want, `${item}`);
  assert.equal(rl.numRequeues('a'), 4);
  assert.equal(rl.numRequeues('b'), 2);
  for (let i = 0; i < 40; i++) rl.when('c');
  assert.equal(rl.when('c'), 1_000_000, 'capped at 1000 s');
  for (let i = 0; i < 2000; i++) rl.when('c');
  assert.equal(rl.when('c'), 1_000_000, 'no overflow to NaN');
  rl.forget('a');
  assert.equal(rl.numRequeues('a'), 0);
  assert.equal(rl.when('a'), 5);
});

test('BucketRateLimiter: burst passes at once, then one per 1/qps, refills with time', () => {
  const clock = new FakeClock();
  const rl = new BucketRateLimiter<string>(10, 3, clock);
  const delays = Array.from({ length: 6 }, (_, i) => rl.when(`k${i}`));
  assert.deepEqual(delays, [0, 0, 0, 100, 200, 300]);
  clock.advance(1000); // 10 tokens refill, but the debt of 3 comes first and the cap is 3
  assert.equal(rl.when('x'), 0);
  assert.equal(rl.when('y'), 0);
  assert.equal(rl.when('z'), 0);
  assert.equal(rl.when('w'), 100);
  assert.equal(rl.numRequeues('w'), 0);
});

test('MaxOfRateLimiter: the longer delay wins; requeues follow the per-item limiter', () => {
  const clock = new FakeClock();
  const rl = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000), new BucketRateLimiter<string>(1, 1, clock));
  assert.equal(rl.when('a'), 5); // bucket has a token; per-item says 5
  assert.equal(rl.when('a'), 1000); // bucket empty: wait 1 s; per-item says 10
  assert.equal(rl.numRequeues('a'), 2);
  rl.forget('a');
  assert.equal(rl.numRequeues('a'), 0);
});

test('defaultControllerRateLimiter: Bosun burst lets a wave of 2000 retries through without bucket delay', () => {
  const clock = new FakeClock();
  const rl = defaultControllerRateLimiter<string>({ clock });
  for (let i = 0; i < 2000; i++) assert.equal(rl.when(`k${i}`), 5);
  assert.equal(rl.when('k-extra'), 5, 'the 2001st waits 1/200 s = 5 ms, same as its own backoff');
});

test('RateLimitingQueue: addRateLimited delays by backoff; forget resets it', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000) });
  q.addRateLimited('a');
  assert.equal(q.len(), 0);
  clock.advance(5);
  assert.equal(await q.get(), 'a');
  q.done('a');
  q.addRateLimited('a');
  clock.advance(9);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1);
  assert.equal(q.numRequeues('a'), 2);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  q.shutDown();
});
