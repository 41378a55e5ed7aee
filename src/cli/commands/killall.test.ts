/**
 * `bosun killall` stops a control-plane-only server found through DATA_DIR/bosun.pid (its command
 * line names only a config file); `bosun uninstall` removes a bosun data dir (after killall, which finds nothing to stop here) and
 * refuses a directory that is not one. The real killall (pods, containerd, tables) is exercised by
 * test/e2e/node-killall.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const MAIN = new URL('../main.ts', import.meta.url).pathname;
const bosun = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
const scratch = mkdtempSync(join(tmpdir(), 'bosun-uninstall-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('bosun uninstall removes a data dir and refuses anything else', () => {
  const notData = join(scratch, 'home');
  mkdirSync(notData);
  writeFileSync(join(notData, 'precious.txt'), 'x');
  const refused = bosun('uninstall', '--data-dir', notData);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is not a bosun data dir; refusing to remove it/);
  assert.ok(existsSync(join(notData, 'precious.txt')));

  const dataDir = join(scratch, 'bosun');
  mkdirSync(join(dataDir, 'pki'), { recursive: true });
  writeFileSync(join(dataDir, 'state.db'), '');
  const r = bosun('uninstall', '--data-dir', dataDir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no bosun process running; 0 pod sandboxes removed/);
  assert.match(r.stdout, new RegExp(`bosun: removed ${dataDir}\\n`));
  assert.equal(existsSync(dataDir), false);
});

test('bosun killall stops the server of the data dir, found by its pid file', async () => {
  const dataDir = join(scratch, 'cp');
  const config = join(scratch, 'cp.yaml');
  writeFileSync(config, `data-dir: ${dataDir}\nport: 0\nbind-address: 127.0.0.1\nstore: memory\ndisable-agent: true\n`);
  const server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('bosun: listening on')) resolve(); });
      server.once('exit', () => reject(new Error(`server exited:\n${out}`)));
    });
    const r = bosun('killall', '--data-dir', dataDir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`stopped bosun \\(pid ${server.pid}\\)`));
    assert.equal(await exited, 0, 'the server stopped cleanly on killall\'s SIGTERM');
  } finally {
    server.kill('SIGKILL');
  }
});
