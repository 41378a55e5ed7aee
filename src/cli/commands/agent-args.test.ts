/**
 * `bosun agent`'s flags: agentMain (bin/bosun.js's agent entry, util.parseArgs on the shared flag
 * table, no commander) reports usage errors in commander's wording with exit 1, prints help with
 * exit 0, and hands runAgent the options with their defaults.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseAgentArgs } from './agent.js';

const ENTRY = new URL('./agent.ts', import.meta.url).href;
/** No /etc/bosun/config.yaml of the machine leaks into these cases. */
const NO_FILE = { defaultConfigFile: '/nonexistent/bosun-config.yaml' };

/** agentMain in a child (it exits the process): status, stdout, stderr. */
function viaAgentMain(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(ENTRY)}).then((m) => m.agentMain(process.argv))`, 'x', 'agent', ...args], { encoding: 'utf8', env: { ...process.env, BOSUN_TOKEN: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('agentMain reports usage errors as commander does, exit 1', () => {
  const cases: Array<[string[], string]> = [
    [[], "error: required option '--server <url>' not specified\n"],
    [['--server', 'https://x', '--agent-port', 'x'], "error: option '--agent-port <port>' argument 'x' is invalid. must be a port number (0-65535)\n"],
    [['--server', 'https://x', '--cluster-dns-port', '65536'], "error: option '--cluster-dns-port <port>' argument '65536' is invalid. must be a port number (0-65535)\n"],
    [['--server', 'https://x', '--bogus'], "error: unknown option '--bogus'\n"],
    [['--server'], "error: option '--server <url>' argument missing\n"],
    [['--server', 'https://x', 'extra'], "error: too many arguments for 'agent'. Expected 0 arguments but got 1.\n"],
    [['--server', 'https://x', '--cluster-cidr', '10.42.0.0'], "error: option '--cluster-cidr <cidr>' argument '10.42.0.0' is invalid. must be an IPv4 CIDR such as 10.42.0.0/16\n"],
  ];
  for (const [args, stderr] of cases) {
    const a = viaAgentMain(args);
    assert.equal(a.stderr, stderr, args.join(' '));
    assert.equal(a.status, 1, args.join(' '));
  }
});

test('agentMain --help lists the flag table, exit 0', () => {
  const a = viaAgentMain(['--help']);
  assert.equal(a.status, 0);
  assert.match(a.stdout, /^Usage: bosun agent \[options\]\n\njoin a cluster/);
  assert.match(a.stdout, /\n {2}--server <url> +the server to join/);
  assert.match(a.stdout, /\n {2}--no-routes +do not program host-gw routes/);
  assert.match(a.stdout, /\(default: 10\.43\.0\.0\/16\)/);
  assert.match(a.stdout, /\n {2}-h, --help +display help for command\n$/);
});

test('agentMain reaches the agent with valid flags (and stops there without a token)', () => {
  const a = viaAgentMain(['--server', 'https://127.0.0.1:1', '--no-routes', '--agent-port=10251', '--config', '/dev/null']);
  assert.equal(a.status, 1);
  assert.match(a.stderr, /^bosun: a join token is required/);
});

test('parseAgentArgs gives the options runAgent gets, defaults included', () => {
  const defaults = {
    server: 'https://10.0.0.1:6443', dataDir: '/var/lib/bosun', agentPort: 10250, clusterDnsPort: 53,
    clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', routes: true, disableNetworkPolicy: false,
  };
  const cases: Array<[string[], object]> = [
    [['--server', 'https://10.0.0.1:6443'], defaults],
    [['--server=https://10.0.0.1:6443', '--no-routes'], { ...defaults, routes: false }],
    [['--server=https://10.0.0.1:6443', '--disable-network-policy'], { ...defaults, disableNetworkPolicy: true }],
    [['--server', 'https://10.0.0.1:6443', '--token', 'K10x', '--node-name', 'n1', '--node-ip', '10.0.0.2', '--data-dir', '/d',
      '--pod-cidr', '10.42.9.0/24', '--agent-port', '10251', '--cluster-dns-port', '0', '--cluster-cidr', '10.1.0.0/16',
      '--service-cidr', '10.2.0.0/16', '--cni-bridge', 'br1', '--cgroup-root', '/x', '--token-file', '/t', '--proxy-table', 'p1'],
    { server: 'https://10.0.0.1:6443', token: 'K10x', nodeName: 'n1', nodeIp: '10.0.0.2', dataDir: '/d', podCidr: '10.42.9.0/24',
      agentPort: 10251, clusterDnsPort: 0, clusterCidr: '10.1.0.0/16', serviceCidr: '10.2.0.0/16', cniBridge: 'br1', cgroupRoot: '/x',
      tokenFile: '/t', routes: true, disableNetworkPolicy: false, proxyTable: 'p1' }],
  ];
  for (const [args, want] of cases) assert.deepEqual(parseAgentArgs(args, NO_FILE), { options: want }, args.join(' '));
});

test('a registries file that cannot be read stops the agent before it joins', () => {
  const a = viaAgentMain(['--server', 'https://127.0.0.1:1', '--token', 'K10x', '--registries', '/nonexistent/registries.yaml', '--config', '/dev/null']);
  assert.equal(a.status, 1);
  assert.equal(a.stderr, 'bosun: cannot read registries file /nonexistent/registries.yaml: ENOENT\n');
});
