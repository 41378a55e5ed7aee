import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { spawnServer } from '../testing/test-cluster.js';
import { missingServerHeapFlags } from './server-heap.js';

test('the server heap flags are added unless node was given them (command line or NODE_OPTIONS) or BOSUN_SERVER_V8_FLAGS replaces them', () => {
  const cases: [NodeJS.ProcessEnv, string[], string[]][] = [
    [{}, [], ['--max-semi-space-size=16']],
    [{}, ['--import', 'tsx'], ['--max-semi-space-size=16']],
    [{}, ['--max-semi-space-size=16'], []],
    [{}, ['--max-semi-space-size=64'], []],
    [{}, ['--max_semi_space_size=32'], []],
    [{ NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=8' }, [], []],
    [{ BOSUN_SERVER_V8_FLAGS: '' }, [], []],
    [{ BOSUN_SERVER_V8_FLAGS: '--max-semi-space-size=4 --stack-size=2000' }, ['--stack-size=1000'], ['--max-semi-space-size=4']],
  ];
  for (const [env, execArgv, want] of cases) assert.deepEqual(missingServerHeapFlags(env, execArgv), want, JSON.stringify([env, execArgv]));
});

test('bosun server re-executes itself with the heap flags: same pid, the flag on its command line', async () => {
  const s = await spawnServer({ store: 'memory' });
  try {
    const cmdline = readFileSync(`/proc/${s.child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--max-semi-space-size=16'), cmdline.join(' '));
    assert.equal((await s.kubectl(['get', '--raw', '/readyz'])).stdout, 'ok');
  } finally {
    await s.stop();
  }
});
