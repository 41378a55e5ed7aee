import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock/fake-clock.js';
import { Controller } from './controller.js';
import { enqueueOwner, enqueueObject, controllerOwnerKey } from './handlers.js';
import { TerminalError, type Result } from './reconcile.js';
import { ItemExponentialFailureRateLimiter } from './workqueue/rate-limiters.js';
import type { KubeObject } from '../api/meta.js';
import { quietLogger } from '../testing/quiet-logger.js';

const tick = () => new Promise((r) => setImmediate(r));
async function settle(n = 5) {
  for (let i = 0; i < n; i++) await tick();
}

test('Controller: errors retry with per-key exponential backoff; success forgets', async () => {
  const clock = new FakeClock();
  const calls: number[] = [];
  let failures = 3;
  const c = new Controller('t', async () => {
    calls.push(clock.now());
    if (failures-- > 0) throw new Error('not yet');
  }, { clock, logger: quietLogger, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000) });
  c.start();
  const t0 = clock.now();
  c.enqueue({ namespace: 'ns', name: 'x' });
  await settle();
  for (const step of [5, 10, 20]) {
    clock.advance(step - 1);
    await settle();
    const before = calls.length;
    clock.advance(1);
    await settle();
    assert.equal(calls.length, before + 1, `retry after ${step} ms`);
  }
  assert.deepEqual(calls.map((t) => t - t0), [0, 5, 15, 35]);
  assert.equal(c.queue.numRequeues('ns/x'), 0, 'success forgets the backoff');
  assert.equal(c.errors, 3);
  await c.stop();
});

test('Controller: requeueAfter schedules a timer; TerminalError is not retried', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  const results: Record<string, () => Promise<Result | void>> = {
    later: async () => ({ requeueAfter: 1000 }),
    broken: async () => { throw new TerminalError('bad spec'); },
  };
  const c = new Controller('t', async (req) => {
    seen.push(req.name);
    return results[req.name]!();
  }, { clock, logger: quietLogger });
  c.start();
  c.enqueue('later');
  c.enqueue('broken');
  await settle();
  assert.deepEqual(seen, ['later', 'broken']);
  clock.advance(999);
  await settle();
  assert.equal(seen.length, 2);
  clock.advance(1);
  await settle();
  assert.deepEqual(seen, ['later', 'broken', 'later']);
  clock.advance(1_000_000_000);
  await settle();
  assert.equal(seen.filter((s) => s === 'broken').length, 1);
  await c.stop();
  assert.equal(clock.pendingTimers, 0, 'stop leaves no timers');
});

test('Controller: N workers run different keys in parallel, never one key twice; events during a run cause one more run', async () => {
  const clock = new FakeClock();
  const running = new Set<string>();
  let maxParallel = 0;
  let overlap = false;
  const runs: Record<string, number> = {};
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const c = new Controller('t', async (req) => {
    if (running.has(req.name)) overlap = true;
    running.add(req.name);
    maxParallel = Math.max(maxParallel, running.size);
    runs[req.name] = (runs[req.name] ?? 0) + 1;
    await gate;
    running.delete(req.name);
  }, { clock, logger: quietLogger, workers: 3 });
  c.start();
  for (const k of ['a', 'b', 'c', 'd']) c.enqueue(k);
  await settle();
  assert.equal(maxParallel, 3);
  c.enqueue('a'); c.enqueue('a'); c.enqueue('a');
  release();
  gate = new Promise<void>((r) => (release = r));
  await settle(10);
  release();
  await settle(10);
  assert.equal(overlap, false);
  assert.deepEqual(runs, { a: 2, b: 1, c: 1, d: 1 });
  await c.stop();
});

test('handlers: owner mapping uses the controller ownerReference of the right kind and group', () => {
  const rs = (owner?: { apiVersion: string; kind: string; name: string; controller?: boolean }): KubeObject => ({
    metadata: { namespace: 'ns', name: 'rs-1', ownerReferences: owner ? [{ uid: 'u', ...owner }] : [] },
  });
  const cases: [KubeObject, string | undefined][] = [
    [rs({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }), 'ns/web'],
    [rs({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }), undefined],
    [rs({ apiVersion: 'example.com/v1', kind: 'Deployment', name: 'web', controller: true }), undefined],
    [rs({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }), undefined],
    [rs(), undefined],
  ];
  for (const [obj, want] of cases) {
    const k = controllerOwnerKey(obj, 'apps', 'Deployment');
    assert.equal(k ? `${k.namespace}/${k.name}` : undefined, want);
  }
  const keys: string[] = [];
  const h = enqueueOwner((k) => keys.push(typeof k === 'string' ? k : `${k.namespace}/${k.name}`), 'apps', 'Deployment');
  const a = rs({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'old', controller: true });
  const b = rs({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'new', controller: true });
  h.onUpdate!(a, b);
  assert.deepEqual(keys, ['ns/new', 'ns/old'], 'a change of owner wakes both');
  const own: string[] = [];
  const ho = enqueueObject((k) => own.push(String(k)), (o, n) => o.metadata.generation !== n.metadata.generation);
  ho.onUpdate!({ metadata: { name: 'x', generation: 1 } }, { metadata: { name: 'x', generation: 1 } });
  ho.onUpdate!({ metadata: { name: 'x', generation: 1 } }, { metadata: { name: 'x', generation: 2 } });
  assert.deepEqual(own, ['x']);
});

test('metrics: reconcile results, errors and queue depth are exported', async () => {
  const { runtimeRegistry } = await import('./metrics.js');
  const clock = new FakeClock();
  let fail = true;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const c = new Controller('metrics-test', async (req) => {
    if (req.name === 'slow') return gate;
    if (fail) {
      fail = false;
      throw new Error('once');
    }
  }, { clock, logger: quietLogger, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000) });
  c.start();
  c.enqueue('slow');
  c.enqueue('x');
  c.enqueue('y');
  await settle();
  const text = await runtimeRegistry.metrics();
  assert.match(text, /workqueue_depth\{name="metrics-test"\} 2/);
  assert.match(text, /controller_runtime_active_workers\{controller="metrics-test"\} 1/);
  release();
  await settle(10);
  clock.advance(5);
  await settle(10);
  const after = await runtimeRegistry.metrics();
  assert.match(after, /controller_runtime_reconcile_errors_total\{controller="metrics-test"\} 1/);
  assert.match(after, /controller_runtime_reconcile_total\{controller="metrics-test",result="success"\} 3/);
  assert.match(after, /workqueue_retries_total\{name="metrics-test"\} 1/);
  await c.stop();
  assert.doesNotMatch(await runtimeRegistry.metrics(), /workqueue_depth\{name="metrics-test"\}/);
});
