/** The `bosun` entry: unknown commands fail (even with --help), `bosun help server` is the server's help. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const MAIN = new URL('./main.ts', import.meta.url).pathname;
const bosun = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

test('an unknown command says so and exits non-zero, with or without --help', () => {
  for (const args of [['nosuch'], ['nosuch', '--help'], ['nosuch', 'server']]) {
    const r = bosun(...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^error: unknown command 'nosuch'/, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('bosun --help lists server and agent; bosun help server and bosun server --help print the flag table', () => {
  const top = bosun('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /\n {2}server +run the control plane/);
  assert.match(top.stdout, /\n {2}agent +join a cluster/);
  for (const args of [['help', 'server'], ['server', '--help']]) {
    const r = bosun(...args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: bosun server \[options\]/);
    assert.match(r.stdout, /--node-monitor-grace-period <duration> .*\(default: 20s\)/);
  }
});
