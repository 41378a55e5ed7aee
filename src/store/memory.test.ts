import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeStoreContract } from './store-contract.js';
import { MemoryStore } from './memory.js';
import { openStore } from './index.js';

describeStoreContract('memory', () => ({ store: new MemoryStore() }));

it('memory: automatic compaction keeps retainRevisions of history', async () => {
  const s = openStore({ backend: 'memory', compactInterval: 5, retainRevisions: 10 });
  for (let i = 0; i < 50; i++) await s.create(`/m/${i}`, 'v');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(s.compactedRevision(), 40);
  assert.equal((await s.list('/m/', { revision: 40 })).items.length, 40);
  await assert.rejects(s.list('/m/', { revision: 39 }), { code: 'TooOld' });
  await s.close();
});
