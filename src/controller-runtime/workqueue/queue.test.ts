import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './queue.js';
import { DelayingQueue } from './delaying-queue.js';
import { FakeClock } from '../clock/fake-clock.js';

type Step =
  | { op: 'add'; item: string }
  | { op: 'get'; expect: string | undefined }
  | { op: 'done'; item: string }
  | { op: 'shutDown' }
  | { op: 'len'; expect: number };

/** Each case is a script of operations with the expected outcomes (client-go's queue semantics). */
const cases: { name: string; steps: Step[] }[] = [
  {
    name: 'fair: FIFO order of first add',
    steps: [
      { op: 'add', item: 'a' }, { op: 'add', item: 'b' }, { op: 'add', item: 'c' },
      { op: 'get', expect: 'a' }, { op: 'get', expect: 'b' }, { op: 'get', expect: 'c' },
    ],
  },
  {
    name: 'stingy: a waiting item is not added twice',
    steps: [
      { op: 'add', item: 'a' }, { op: 'add', item: 'b' }, { op: 'add', item: 'a' },
      { op: 'len', expect: 2 }, { op: 'get', expect: 'a' }, { op: 'get', expect: 'b' }, { op: 'len', expect: 0 },
    ],
  },
  {
    name: 'an item being processed is not handed out again until done',
    steps: [
      { op: 'add', item: 'a' }, { op: 'get', expect: 'a' },
      { op: 'add', item: 'a' }, { op: 'len', expect: 0 },
      { op: 'done', item: 'a' }, { op: 'len', expect: 1 }, { op: 'get', expect: 'a' },
    ],
  },
  {
    name: 're-added several times while processing runs once more',
    steps: [
      { op: 'add', item: 'a' }, { op: 'get', expect: 'a' },
      { op: 'add', item: 'a' }, { op: 'add', item: 'a' }, { op: 'add', item: 'b' },
      { op: 'done', item: 'a' }, { op: 'len', expect: 2 },
      { op: 'get', expect: 'b' }, { op: 'get', expect: 'a' }, { op: 'len', expect: 0 },
    ],
  },
  {
    name: 'done without re-add leaves nothing behind',
    steps: [{ op: 'add', item: 'a' }, { op: 'get', expect: 'a' }, { op: 'done', item: 'a' }, { op: 'len', expect: 0 }],
  },
  {
    name: 'shutdown: adds ignored, queued items still drain, then undefined',
    steps: [
      { op: 'add', item: 'a' }, { op: 'shutDown' }, { op: 'add', item: 'b' },
      { op: 'get', expect: 'a' }, { op: 'get', expect: undefined },
    ],
  },
];

for (const c of cases) {
  test(`WorkQueue: ${c.name}`, async () => {
    const q = new WorkQueue<string>();
    for (const s of c.steps) {
      switch (s.op) {
        case 'add': q.add(s.item); break;
        case 'done': q.done(s.item); break;
        case 'shutDown': q.shutDown(); break;
        case 'len': assert.equal(q.len(), s.expect); break;
        case 'get': assert.equal(await q.get(), s.expect); break;
      }
    }
  });
}

test('WorkQueue: a waiting get is woken by add and by shutDown', async () => {
  const q = new WorkQueue<string>();
  const first = q.get();
  const second = q.get();
  q.add('x');
  assert.equal(await first, 'x');
  assert.equal(q.processingCount(), 1);
  q.shutDown();
  assert.equal(await second, undefined);
});

test('WorkQueue: concurrent workers never hold the same key at once', async () => {
  const q = new WorkQueue<string>();
  const active = new Set<string>();
  let processed = 0;
  let overlaps = 0;
  const worker = async () => {
    for (;;) {
      const k = await q.get();
      if (k === undefined) return;
      if (active.has(k)) overlaps++;
      active.add(k);
      await new Promise((r) => setImmediate(r));
      // re-adds during processing must not create a concurrent copy
      if (processed < 200) q.add(k);
      active.delete(k);
      processed++;
      q.done(k);
    }
  };
  for (const k of ['a', 'b', 'c']) q.add(k);
  const workers = Array.from({ length: 8 }, worker);
  while (processed < 200) await new Promise((r) => setImmediate(r));
  q.shutDown();
  await Promise.all(workers);
  assert.equal(overlaps, 0);
  assert.ok(processed >= 200);
});

test('DelayingQueue: items appear when due, earliest time wins, shutdown cancels timers', async () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>(clock);
  q.addAfter('late', 100);
  q.addAfter('soon', 10);
  q.addAfter('late', 50); // earlier than 100: moves forward
  q.addAfter('soon', 500); // later than 10: ignored
  q.addAfter('now', 0);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'now');
  clock.advance(9);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(await q.get(), 'soon');
  clock.advance(40);
  assert.equal(await q.get(), 'late');
  clock.advance(1000);
  assert.equal(q.len(), 0, 'the superseded timers must not add again');

  q.addAfter('never', 10);
  assert.equal(clock.pendingTimers, 1);
  q.shutDown();
  assert.equal(clock.pendingTimers, 0);
  clock.advance(100);
  assert.equal(await q.get(), undefined);
});
