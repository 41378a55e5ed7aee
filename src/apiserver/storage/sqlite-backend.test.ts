/**
 * The storage tests of this directory run on the memory store; SQLite is the store users run by
 * default, and its KeyValues, watch replay and revisions differ in ways the memory store hides (fresh
 * entries per read, history from the table). So the same files run here once more, in a child test
 * run with BOSUN_STORAGE_TEST_BACKEND=sqlite (testing/test-store.ts), and must all pass.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'sqlite-backend.test.ts').map((f) => join(here, f));

test('the storage tests pass on the SQLite store', { timeout: 240_000 }, async () => {
  assert.ok(files.length >= 10, `storage test files found: ${files.length}`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', '--test-concurrency=1', ...files], {
    // Without NODE_TEST_CONTEXT, which the runner sets for the files it spawns: with it, the child
    // runner would report to this process's runner and exit at once.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), BOSUN_STORAGE_TEST_BACKEND: 'sqlite' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  assert.equal(code, 0, `storage tests on sqlite failed:\n${out.slice(-6000)}`);
  // The dot reporter prints one character per test: an empty run must not pass.
  assert.ok((out.match(/\./g) ?? []).length >= 50, `too few tests ran on sqlite:\n${out.slice(-2000)}`);
});
