import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeStoreContract } from './store-contract.js';
import { MemoryStore } from './memory.js';
import { openStore } from './index.js';
import { FakeClock } from '../controller-runtime/clock/fake-clock.js';

describeStoreContract('memory', () => ({ store: new MemoryStore() }));

it('memory: automatic compaction every compactInterval keeps retainRevisions of history', async () => {
  const clock = new FakeClock();
  const s = openStore({ backend: 'memory', compactInterval: 60_000, retainRevisions: 10, clock });
  for (let i = 0; i < 50; i++) await s.create(`/m/${i}`, 'v');
  clock.advance(59_999);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.compactedRevision(), 0, 'not before the interval');
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.compactedRevision(), 40);
  assert.equal((await s.list('/m/', { revision: 40 })).items.length, 40);
  await assert.rejects(s.list('/m/', { revision: 39 }), { code: 'TooOld' });
  for (let i = 50; i < 60; i++) await s.create(`/m/${i}`, 'v');
  clock.advance(60_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.compactedRevision(), 50, 'and again at the next interval');
  await s.close();
  assert.equal(clock.pendingTimers, 0, 'close() stops the timer');
});
