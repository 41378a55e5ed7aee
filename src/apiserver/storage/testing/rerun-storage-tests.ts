/**
 * The storage tests of this directory run on the memory store; the stores users run (SQLite by
 * default, etcd) differ in ways the memory store hides (fresh KeyValues per read, history from a
 * table or from etcd, etcd's global revision and progress notifications). So the *-backend.test.ts
 * files run the same tests once more, in a child test run with BOSUN_STORAGE_TEST_BACKEND set
 * (testing/test-store.ts), and all must pass.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Run every storage test file but the *-backend ones on `backend`, with `env` added; fails if any fails or too few ran. */
export async function rerunStorageTests(backend: 'sqlite' | 'etcd', env: Record<string, string> = {}): Promise<void> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && !f.endsWith('-backend.test.ts')).map((f) => join(dir, f));
  assert.ok(files.length >= 10, `storage test files found: ${files.length}`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', '--test-concurrency=1', ...files], {
    // Without NODE_TEST_CONTEXT, which the runner sets for the files it spawns: with it, the child
    // runner would report to this process's runner and exit at once.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), ...env, BOSUN_STORAGE_TEST_BACKEND: backend },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  assert.equal(code, 0, `storage tests on ${backend} failed:\n${out.slice(-6000)}`);
  // The dot reporter prints one character per test: an empty run must not pass.
  assert.ok((out.match(/\./g) ?? []).length >= 50, `too few tests ran on ${backend}:\n${out.slice(-2000)}`);
}
