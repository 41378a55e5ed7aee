/**
 * `bosun install-service`: the systemd unit and OpenRC script carry the flags given (quoted so the
 * service manager hands bosun the same words), systemd-analyze accepts the unit (when installed),
 * the OpenRC script is valid sh whose command_args evaluate back to the flags, and `bosun
 * uninstall`'s service removal takes only the services of its data dir.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { installService, removeServices } from './install.js';
import type { ServiceSpec } from './render.js';

const root = mkdtempSync(join(tmpdir(), 'bosun-units-'));
after(() => rmSync(root, { recursive: true, force: true }));
const BIN = new URL('../../bin/bosun.js', import.meta.url).pathname;
const FLAGS = ['--data-dir', '/srv/bosun data', '--node-name', 'n1', '--service-lb-pool', '192.0.2.5,192.0.2.9', '--token', "a'b\"c$d%e"];
const spec = (role: ServiceSpec['role'], flags = FLAGS): ServiceSpec => ({ role, node: process.execPath, bin: BIN, flags });

const hasSystemdAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

test('the systemd unit runs bosun with the flags given, and systemd-analyze verify accepts it', () => {
  const r = installService(spec('server'), { root, enable: false });
  assert.equal(r.systemdUnit, join(root, 'etc/systemd/system/bosun-server.service'));
  assert.equal(r.openrcScript, undefined, 'no OpenRC script without /sbin/openrc-run or --openrc');
  const unit = readFileSync(r.systemdUnit, 'utf8');
  assert.match(unit, /^KillMode=process$/m, 'stopping the service leaves pods and containerd');
  assert.match(unit, /^Delegate=yes$/m);
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^WantedBy=multi-user.target$/m);
  const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!;
  assert.equal(exec, `${process.execPath} ${BIN} server --data-dir "/srv/bosun data" --node-name n1 --service-lb-pool 192.0.2.5,192.0.2.9 --token "a'b\\"c$$d%%e"`);
  if (!hasSystemdAnalyze) return;
  // verify resolves ExecStart's binary and parses every directive; it fails on a malformed unit.
  const v = spawnSync('systemd-analyze', ['verify', r.systemdUnit], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.doesNotMatch(v.stderr, /Unknown key|Failed to parse|Invalid/i);
});

test('the OpenRC script (with --openrc) is valid sh and its command_args evaluate to the flags', () => {
  const r = installService(spec('agent', ['--server', 'https://10.0.0.1:6443', ...FLAGS]), { root, enable: false, openrc: true });
  const script = readFileSync(r.openrcScript!, 'utf8');
  assert.match(script, /^#!\/sbin\/openrc-run\n/);
  assert.match(script, /^supervisor=supervise-daemon$/m);
  assert.equal(spawnSync('sh', ['-n', r.openrcScript!]).status, 0, 'sh -n rejects the script');
  // openrc-run evals command_args: the words it gets back must be exactly the flags.
  const words = execFileSync('sh', ['-c', `command_args=$(sed -n 's/^command_args=//p' "$1"); eval "eval set -- $command_args"; printf '%s\\n' "$@"`, 'sh', r.openrcScript!], { encoding: 'utf8' });
  assert.deepEqual(words.trimEnd().split('\n'), [BIN, 'agent', '--server', 'https://10.0.0.1:6443', ...FLAGS]);
});

test('removing the services of a data dir leaves those of another', () => {
  const other = mkdtempSync(join(tmpdir(), 'bosun-units-other-'));
  try {
    installService(spec('server', ['--data-dir', '/srv/one']), { root: other, enable: false, openrc: true });
    installService(spec('agent', ['--server', 'https://x:6443']), { root: other, enable: false });
    assert.deepEqual(removeServices('/srv/two', { root: other }), []);
    assert.deepEqual(removeServices('/srv/one', { root: other }).sort(), [join(other, 'etc/init.d/bosun-server'), join(other, 'etc/systemd/system/bosun-server.service')]);
    assert.ok(existsSync(join(other, 'etc/systemd/system/bosun-agent.service')), 'the agent (default data dir) stays');
    assert.deepEqual(removeServices('/var/lib/bosun', { root: other }), [join(other, 'etc/systemd/system/bosun-agent.service')]);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('bosun install-service checks the role and the flags before writing anything', () => {
  const main = new URL('../cli/main.ts', import.meta.url).pathname;
  const cases: Array<[string[], RegExp]> = [
    [['install-service'], /usage: bosun install-service server\|agent/],
    [['install-service', 'nosuch'], /usage: bosun install-service server\|agent/],
    [['install-service', 'server', '--bogus'], /error: unknown option '--bogus'/],
    [['install-service', 'agent', '--data-dir', '/x'], /required option '--server <url>' not specified/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
  }
});
