/**
 * `bosun server --simulated-nodes 3 --disable-agent` through the CLI entry point as a child process:
 * it prints its listening line, the real kubectl sees three Ready simulated nodes and can run a
 * Deployment on them, and SIGTERM stops it with exit code 0.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runKubectl } from '../../src/testing/test-cluster.js';
import { waitFor } from './workloads-harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('workloads: bosun server --simulated-nodes through the CLI', () => {
  let child: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-wl-cli-'));
  const kubectlHome = mkdtempSync(join(tmpdir(), 'bosun-e2e-wl-cli-kubectl-'));
  const kubectl = (args: string[]) => runKubectl(join(dataDir, 'kubeconfig.yaml'), join(kubectlHome, 'cache'), args);
  const ok = async (args: string[]) => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    child = spawn(process.execPath, [
      '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'server', '--disable-agent', '--simulated-nodes', '3',
      '--simulated-ready-delay', '200ms', '--port', '0', '--bind-address', '127.0.0.1', '--data-dir', dataDir, '--store', 'memory',
      '--default-unreachable-toleration-seconds', '120',
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the listening line', async () => {
      if (child.exitCode !== null) throw new Error(`bosun server exited with ${child.exitCode}:\n${output}`);
      return /bosun: listening on https:\/\/127\.0\.0\.1:\d+/.test(output);
    }, 60_000, 100);
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(kubectlHome, { recursive: true, force: true });
  });

  test('kubectl get nodes shows 3 Ready simulated nodes, and a Deployment runs on them', async () => {
    assert.match(output, /3 simulated nodes registered/);
    const port = Number(/bosun: listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    assert.ok(port > 0 && port !== 6443);
    const nodes = await waitFor('3 Ready nodes', async () => {
      const out = await ok(['get', 'nodes', '--no-headers']);
      return (out.match(/^sim-\d{4}\s+Ready\s/gm)?.length === 3) ? out : false;
    });
    assert.equal(nodes.trim().split('\n').length, 3, 'no other node (the agent is disabled)');
    await ok(['create', 'deployment', 'cli-web', '--image=nginx:1.27', '--replicas=3']);
    assert.match(await ok(['rollout', 'status', 'deployment/cli-web', '--timeout=60s']), /successfully rolled out/);
  });

  test('DefaultTolerationSeconds admission: pods get not-ready/unreachable NoExecute tolerations unless they tolerate them (upstream plugin/pkg/admission/defaulttolerationseconds)', async () => {
    await ok(['run', 'dts-plain', '--image=busybox', '--restart=Never']);
    const plain = parse(await ok(['get', 'pod', 'dts-plain', '-o', 'yaml'])) as { spec: { tolerations: unknown[] } };
    assert.deepEqual(plain.spec.tolerations, [
      // not-ready from Bosun's default (15 s; upstream 300 s), unreachable from the flag.
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 15 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 },
    ]);
    // A pod's own not-ready toleration is kept; only unreachable is added. An empty key and effect tolerate both.
    const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 };
    await ok(['run', 'dts-own', '--image=busybox', '--restart=Never', `--overrides=${JSON.stringify({ spec: { tolerations: [own] } })}`]);
    const mine = parse(await ok(['get', 'pod', 'dts-own', '-o', 'yaml'])) as { spec: { tolerations: unknown[] } };
    assert.deepEqual(mine.spec.tolerations, [own, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 }]);
    const all = { operator: 'Exists' };
    await ok(['run', 'dts-all', '--image=busybox', '--restart=Never', `--overrides=${JSON.stringify({ spec: { tolerations: [all] } })}`]);
    assert.deepEqual((parse(await ok(['get', 'pod', 'dts-all', '-o', 'yaml'])) as { spec: { tolerations: unknown[] } }).spec.tolerations, [all]);
    await ok(['delete', 'pod', 'dts-plain', 'dts-own', 'dts-all', '--wait=false']);
  });

  test('SIGTERM stops the server with exit code 0', async () => {
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.equal(signal, null, output);
    assert.equal(code, 0, output);
    assert.match(output, /SIGTERM received/);
  });
});
