/**
 * `bosun agent` from another "machine": the server listens on the test bridge in the root
 * namespace, the agent CLI runs in a test host's namespace, joins over the bridge (CA pinned by the
 * token), registers its Node with its node credential, and waits for a pod CIDR. The run stops
 * there (no containerd is started: the pod CIDR never comes, as no node-ipam runs here). An agent
 * whose network is not up yet retries until it is. A token pinned to another CA makes the CLI
 * refuse to join.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from '../../api/kinds/index.js';
import { startApiServer, type ApiServer } from '../../apiserver/server.js';
import { KubeClient } from '../../client/kube-client.js';
import { createTestHosts, type TestHosts } from '../../testing/test-hosts.js';
import { eventuallyWith } from '../../testing/eventually.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const P = `agentcli-${process.pid}-${Date.now().toString(36)}`;
let th: TestHosts;
let server: ApiServer;
let admin: KubeClient;
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

before(async () => {
  th = await createTestHosts({ hosts: ['n1'] });
  server = await startApiServer({ dataDir: tmp('bosun-srv-'), port: 0, bindAddress: th.gateway, storeBackend: 'memory', extraSans: [th.gateway] });
  admin = KubeClient.fromKubeconfig(server.kubeconfigPath);
});
after(async () => {
  admin?.close();
  await server?.stop();
  await th?.teardown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runAgentCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = th.spawnInHost('n1', process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'agent', ...args], { cwd: repoRoot });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

const until = eventuallyWith({ timeoutMs: 30_000, intervalMs: 100 });

test('an agent in another host joins over the network and registers its Node', async () => {
  const name = `${P}-a`;
  const url = `https://${th.gateway}:${server.port}`;
  const a = runAgentCli(['--server', url, '--token', server.joinToken!, '--node-name', name, '--data-dir', tmp('bosun-agent-'), '--no-routes']);
  try {
    await until(() => a.output().includes(`bosun: node ${name} joined ${url}`), `join line in:\n${a.output()}`);
    await until(async () => {
      try {
        await admin.nodes<Node>().get(name);
        return true;
      } catch {
        return false;
      }
    }, 'the Node registered by the agent');
    const n = await admin.nodes<Node>().get(name);
    assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], name);
    const writer = n.metadata.managedFields?.[0]?.manager ?? '';
    // Upstream's kubelet sends client-go's default User-Agent (kubelet/v1.32.0 ...): its writes are the field manager "kubelet"'s.
    assert.equal(writer, 'kubelet', 'created by the agent as the kubelet');
  } finally {
    a.child.kill('SIGKILL');
    await a.exited;
  }
});

test('an agent whose network is not up yet keeps trying, and joins once it is', async () => {
  // The machine's link is down (as right after a reboot): its requests fail with EHOSTUNREACH or
  // ENETUNREACH, which the agent waits out (src/agent/join/retry-transient.ts) instead of exiting.
  const name = `${P}-u`;
  const url = `https://${th.gateway}:${server.port}`;
  await th.unplugHost('n1');
  const a = runAgentCli(['--server', url, '--token', server.joinToken!, '--node-name', name, '--data-dir', tmp('bosun-agent-'), '--no-routes']);
  const output = (): string => {
    if (a.child.exitCode !== null) throw new Error(`the agent exited (${a.child.exitCode}):\n${a.output()}`);
    return a.output();
  };
  try {
    await until(() => /bosun: GET https:\/\/\S+\/cacerts failed: .*(EHOSTUNREACH|ENETUNREACH).*; retrying in /.test(output()), 'a retry');
    await th.reviveHost('n1');
    await until(() => output().includes(`bosun: node ${name} joined ${url}`), 'the join line');
  } finally {
    await th.reviveHost('n1');
    a.child.kill('SIGKILL');
    await a.exited;
  }
});

test('a token pinned to another CA is refused', async () => {
  const secret = server.joinToken!.split('::server:')[1]!;
  const a = runAgentCli(['--server', `https://${th.gateway}:${server.port}`, '--token', `K10${'1'.repeat(64)}::server:${secret}`, '--node-name', `${P}-b`, '--data-dir', tmp('bosun-agent-')]);
  const code = await a.exited;
  assert.equal(code, 1);
  assert.match(a.output(), /bosun: refusing to join https:\/\/172\.31\.\d+\.1:\d+: its CA certificate has sha256 [0-9a-f]{64}, but the join token pins 1{64}/);
});
