/**
 * `bosun agent` re-executes itself once at start (process.execve, same pid) with the settings that
 * only work from process start (bin/bosun.js): node's --jitless and --no-node-snapshot, glibc's
 * MALLOC_ARENA_MAX=2 and, when the machine has Debian's libjemalloc2, jemalloc preloaded with one
 * arena and immediate purging (bench/pod-start.bench.ts measures the agent's memory with them).
 * What the agent starts (containerd, runc, CNI plugins) must not inherit what the re-execution
 * added; what the user set is the user's and stays. NODE_EXTRA_CA_CERTS, which node reads at start
 * and whose certificates it keeps for life, is kept from the re-executed agent (it verifies only its
 * cluster's CA) and handed back to its children. Needs `npm run build`.
 * Every node process started reports, through NODE_OPTIONS --import, its pid and flags when it
 * loads, and at exit whether jemalloc is mapped and the allocator variables it still has.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/bosun.js');
const JEMALLOC = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].map((d) => `${d}/libjemalloc.so.2`).find((f) => existsSync(f));

const tmp = mkdtempSync(join(tmpdir(), 'bosun-agent-reexec-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const report = join(tmp, 'report.mjs');
writeFileSync(report, `
import { readFileSync } from 'node:fs';
const say = (o) => process.stderr.write('report ' + JSON.stringify(o) + '\\n');
say({ at: 'load', pid: process.pid, execArgv: process.execArgv.filter((a) => !a.startsWith('--import')), extraCA: process.env.NODE_EXTRA_CA_CERTS ?? null });
process.on('exit', () => say({
  at: 'exit', pid: process.pid,
  jemalloc: readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc'),
  env: Object.fromEntries(['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'MALLOC_CONF', 'BOSUN_AGENT_REEXEC', 'BOSUN_AGENT_EXTRA_CA', 'NODE_EXTRA_CA_CERTS'].filter((k) => k in process.env).map((k) => [k, process.env[k]])),
}));
`);

interface Report { at: 'load' | 'exit'; pid: number; execArgv?: string[]; extraCA?: string | null; jemalloc?: boolean; env?: Record<string, string> }

function runAgentHelp(extraEnv: Record<string, string>): Report[] {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(report).href}`, ...extraEnv };
  for (const k of ['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'MALLOC_CONF', 'BOSUN_AGENT_MALLOC', 'BOSUN_AGENT_REEXEC', 'BOSUN_AGENT_NODE_FLAGS', 'NODE_EXTRA_CA_CERTS']) if (!(k in extraEnv)) delete env[k];
  const r = spawnSync(BIN, ['agent', '--help'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: bosun agent/);
  return [...r.stderr.matchAll(/^report (.*)$/gm)].map((m) => JSON.parse(m[1]) as Report);
}

test('bosun agent re-executes itself once, same pid, with --jitless, --no-node-snapshot and its V8 flags; its children get none of what it added', () => {
  const reports = runAgentHelp({});
  const loads = reports.filter((r) => r.at === 'load');
  const exits = reports.filter((r) => r.at === 'exit');
  assert.equal(loads.length, 2, 'started, then re-executed once');
  assert.equal(loads[0].pid, loads[1].pid, 'execve keeps the pid');
  assert.deepEqual(loads[0].execArgv, []);
  assert.deepEqual(loads[1].execArgv, ['--jitless', '--no-node-snapshot', '--optimize-for-size', '--no-opt', '--no-maglev', '--no-sparkplug', '--minor-ms']);
  assert.equal(exits.length, 1);
  assert.deepEqual(exits[0].env, {}, 'the allocator settings it added are not passed on');
});

test('with libjemalloc2 on the machine the agent runs on jemalloc', { skip: JEMALLOC ? false : 'libjemalloc2 is not installed (scripts/setup.sh installs it)' }, () => {
  const exit = runAgentHelp({}).find((r) => r.at === 'exit')!;
  assert.equal(exit.jemalloc, true);
});

test('BOSUN_AGENT_MALLOC=glibc keeps glibc malloc; a MALLOC_ARENA_MAX the user set is kept and passed on', () => {
  const exit = runAgentHelp({ BOSUN_AGENT_MALLOC: 'glibc', MALLOC_ARENA_MAX: '4' }).find((r) => r.at === 'exit')!;
  assert.equal(exit.jemalloc, false);
  assert.deepEqual(exit.env, { MALLOC_ARENA_MAX: '4' });
});

test('NODE_EXTRA_CA_CERTS is set aside for the re-executed agent (node would keep every certificate for life) and handed back to what it starts', () => {
  const bundle = existsSync('/etc/ssl/certs/ca-certificates.crt') ? '/etc/ssl/certs/ca-certificates.crt' : join(tmp, 'none.pem');
  const reports = runAgentHelp({ NODE_EXTRA_CA_CERTS: bundle });
  assert.deepEqual(reports.filter((r) => r.at === 'load').map((r) => r.extraCA), [bundle, null]);
  assert.deepEqual(reports.find((r) => r.at === 'exit')!.env, { NODE_EXTRA_CA_CERTS: bundle });
});
