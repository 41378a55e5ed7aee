/**
 * `bosun agent` parses its flags twice over: with commander inside `bosun` (main.ts, for
 * `bosun --help`) and with util.parseArgs in agentMain (bin/bosun.js's agent entry, which leaves
 * commander out of the node agent). Both read one option table; these cases pin that they agree on
 * help and on every usage error, wording and exit code included.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Command } from 'commander';
import { parseAgentArgs, registerAgentCommand } from './agent.js';

const ENTRY = new URL('./agent.ts', import.meta.url).href;

/** agentMain in a child (it exits the process): status, stdout, stderr. */
function viaParseArgs(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(ENTRY)}).then((m) => m.agentMain(process.argv))`, 'x', 'agent', ...args], { encoding: 'utf8', env: { ...process.env, BOSUN_TOKEN: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same arguments through commander (never reaching runAgent: every case is a usage error or help). */
async function viaCommander(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const program = new Command('bosun');
  registerAgentCommand(program);
  let stdout = '';
  let stderr = '';
  program.exitOverride();
  for (const c of [program, ...program.commands]) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s), getOutHelpWidth: () => 1000, getErrHelpWidth: () => 1000 });
  }
  try {
    await program.parseAsync(['node', 'bosun', 'agent', ...args]);
    return { status: -1, stdout, stderr };
  } catch (err) {
    return { status: (err as { exitCode: number }).exitCode, stdout, stderr };
  }
}

test('agentMain reports usage errors as commander does', async () => {
  const cases = [
    [],
    ['--server', 'https://x', '--agent-port', '0'],
    ['--server', 'https://x', '--agent-port', 'x'],
    ['--server', 'https://x', '--cluster-dns-port', '65536'],
    ['--server', 'https://x', '--bogus'],
    ['--server'],
    ['--server', 'https://x', 'extra'],
  ];
  for (const args of cases) {
    const a = viaParseArgs(args);
    const b = await viaCommander(args);
    assert.equal(a.stderr, b.stderr, args.join(' '));
    assert.equal(a.status, b.status, args.join(' '));
    assert.equal(a.status, 1);
  }
});

test('agentMain --help lists what commander lists', async () => {
  const a = viaParseArgs(['--help']);
  const b = await viaCommander(['--help']);
  assert.equal(a.status, 0);
  assert.equal(b.status, 0);
  assert.equal(a.stdout, b.stdout);
});

test('agentMain reaches the agent with valid flags (and stops there without a token)', () => {
  const a = viaParseArgs(['--server', 'https://127.0.0.1:1', '--no-routes', '--agent-port=10251']);
  assert.equal(a.status, 1);
  assert.match(a.stderr, /^bosun: a join token is required/);
});

test('parseAgentArgs gives the options runAgent gets, defaults included', () => {
  const defaults = {
    server: 'https://10.0.0.1:6443', dataDir: '/var/lib/bosun', agentPort: 10250, clusterDnsPort: 53,
    clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', routes: true,
  };
  const cases: Array<[string[], object]> = [
    [['--server', 'https://10.0.0.1:6443'], defaults],
    [['--server=https://10.0.0.1:6443', '--no-routes'], { ...defaults, routes: false }],
    [['--server', 'https://10.0.0.1:6443', '--token', 'K10x', '--node-name', 'n1', '--node-ip', '10.0.0.2', '--data-dir', '/d',
      '--pod-cidr', '10.42.9.0/24', '--agent-port', '10251', '--cluster-dns-port', '0', '--cluster-cidr', '10.1.0.0/16',
      '--service-cidr', '10.2.0.0/16', '--cni-bridge', 'br1', '--cgroup-root', '/x', '--token-file', '/t'],
    { server: 'https://10.0.0.1:6443', token: 'K10x', nodeName: 'n1', nodeIp: '10.0.0.2', dataDir: '/d', podCidr: '10.42.9.0/24',
      agentPort: 10251, clusterDnsPort: 0, clusterCidr: '10.1.0.0/16', serviceCidr: '10.2.0.0/16', cniBridge: 'br1', cgroupRoot: '/x',
      tokenFile: '/t', routes: true }],
  ];
  for (const [args, want] of cases) assert.deepEqual(parseAgentArgs(args), { options: want }, args.join(' '));
});
