/**
 * The npm package installs and runs (issue 12: "`npm pack` contains no test code; the package
 * installs and runs `bosun server` from the tarball"): scripts/check-package.sh packs a clean copy
 * of the tree, fails on test code or sources in the tarball, installs the tarball globally into a
 * temporary prefix (dependencies from npm's cache, filled by `npm ci`; better-sqlite3 compiled from
 * source, as its prebuilt binaries are on GitHub) and starts the installed `bosun server` until
 * /readyz answers ok. Minutes, most of them one CPU compiling SQLite: one test, its own timeout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs `bash script` in its own process group; an aborted test ends the whole group (npm, node-gyp, the server). */
function runScript(script: string, signal: AbortSignal): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(ROOT, script)], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    const stop = (): void => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    };
    signal.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      signal.removeEventListener('abort', stop);
      resolve({ code, output });
    });
  });
}

test('npm pack holds no test code, and the tarball installed globally runs bosun server to /readyz', { timeout: 15 * 60_000 }, async (t) => {
  const { code, output } = await runScript('scripts/check-package.sh', t.signal);
  assert.equal(code, 0, `scripts/check-package.sh failed:\n${output}`);
  const packed = /^packed (\d+) files, (\d+) KiB$/m.exec(output);
  assert.ok(packed, output);
  t.diagnostic(packed[0]);
  assert.match(output, /^ok: the installed package runs bosun server \(\/readyz ok\)$/m);
});
