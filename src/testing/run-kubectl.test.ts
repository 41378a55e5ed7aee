/**
 * runKubectl's contract: whatever kubectl does with its input, the result is its exit code and
 * output; a kubectl that exits before reading stdin must not surface as an unhandled EPIPE (which
 * node:test blames on whichever hook of the running file is active, failing the file).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runKubectl } from './test-cluster.js';

test('kubectl exiting before it reads a large input gives its exit code, not an EPIPE error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-run-kubectl-'));
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    // An unknown flag: kubectl exits at once; 4 MiB does not fit the pipe, so the write fails.
    const r = await runKubectl(join(dir, 'none'), join(dir, 'cache'), ['apply', '--no-such-flag', '-f', '-'], { input: 'x'.repeat(4 << 20) });
    await new Promise((r) => setTimeout(r, 200));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such-flag/);
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
});
