/**
 * Pods talk across nodes, for real: a server on the test bridge, the node-ipam controller, and two
 * `bosun agent` processes in their own test hosts (each with its own containerd), joined with the
 * server's token. Each node gets its own /24, host-gw routes to the other, and a pod on one node
 * reaches a pod on the other by its IP (from the host and from inside a pod, through kubectl exec
 * which also exercises the agent's join-issued serving certificate). Needs root and
 * scripts/build-test-images.sh. Everything is removed at the end, even after a failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Node, Pod } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { startApiServer, type ApiServer } from '../../apiserver/server.js';
import { KubeClient } from '../../client/kube-client.js';
import { Manager } from '../../controller-runtime/manager.js';
import { controllers } from '../../controllers/index.js';
import { addNodeIpamController } from '../../controllers/node-ipam/node-ipam-controller.js';
import { cleanupNodeState } from '../../testing/node-state-cleanup.js';
import { runKubectl } from '../../testing/test-cluster.js';
import { createTestHosts, type TestHosts } from '../../testing/test-hosts.js';
import { containerdPaths } from '../containerd/config.js';
import { importImageTarball } from '../containerd/images.js';
import { BUSYBOX_IMAGE, BUSYBOX_TARBALL, requireTestImages } from '../testing/private-containerd.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { eventuallyWith } from '../../testing/eventually.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface RunningAgent { name: string; nodeName: string; child: ChildProcess; dataDir: string; output: () => string; exited: Promise<void> }

let th: TestHosts;
let server: ApiServer;
let admin: KubeClient;
let mgr: Manager;
const agents: RunningAgent[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'bosun-xnode-'));
let seen: { source: string; clientPod: string; clientNode: string } | undefined;

const until = eventuallyWith({ timeoutMs: 60_000, intervalMs: 100, retryErrors: true });

before(async () => {
  requireTestImages();
  th = await createTestHosts({ hosts: ['n1', 'n2'] });
  server = await startApiServer({ dataDir: join(scratch, 'server'), port: 0, bindAddress: th.gateway, storeBackend: 'memory' });
  admin = KubeClient.fromKubeconfig(server.kubeconfigPath);
  mgr = new Manager({ kubeconfig: server.kubeconfigPath, logger: quietLogger });
  addNodeIpamController(mgr);
  controllers.endpointslice!(mgr);
  await mgr.start();
  const url = `https://${th.gateway}:${server.port}`;
  for (const h of th.hosts) {
    const dataDir = join(scratch, h.name);
    const cgroupRoot = `/${th.prefix}${h.name}`;
    th.addCleanup(() => cleanupNodeState({ dataDir, cgroupRoot }));
    const nodeName = `${th.prefix}-${h.name}`;
    const child = th.spawnInHost(h, process.execPath, [
      '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'agent', '--server', url, '--token', server.joinToken!,
      '--node-name', nodeName, '--node-ip', h.ip, '--data-dir', dataDir, '--cgroup-root', cgroupRoot,
    ], { cwd: repoRoot });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    agents.push({ name: h.name, nodeName, child, dataDir, output: () => out, exited });
  }
  // Runs before the node-state cleanups (last added runs first): pods deleted through the API, agents stopped.
  th.addCleanup(async () => {
    await admin.pods('default').deleteCollection({}, { gracePeriodSeconds: 1 }).catch(() => undefined);
    await until(async () => (await admin.pods('default').list()).items.length === 0, 'pods deleted', 30_000).catch(() => undefined);
    for (const a of agents) a.child.kill('SIGTERM');
    await Promise.race([Promise.all(agents.map((a) => a.exited)), new Promise((r) => setTimeout(r, 15_000))]);
  });
  for (const a of agents) {
    for (const end = Date.now() + 120_000; !a.output().includes('bosun: agent running');) {
      if (a.child.exitCode !== null || a.child.signalCode !== null) throw new Error(`agent ${a.name} exited:\n${a.output()}`);
      if (Date.now() > end) throw new Error(`agent ${a.name} did not start:\n${a.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await importImageTarball(containerdPaths(join(a.dataDir, 'containerd')).socket, BUSYBOX_TARBALL);
  }
});

after(async () => {
  await th?.teardown();
  await mgr?.stop();
  admin?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const CGI = 'printf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$REMOTE_ADDR"';

test('each node gets its own pod CIDR and routes to the other', async () => {
  const nodes = (await admin.nodes<Node>().list()).items.filter((n) => n.metadata.name?.startsWith(th.prefix));
  assert.equal(nodes.length, 2);
  const cidrs = nodes.map((n) => n.spec?.podCIDR);
  assert.equal(new Set(cidrs).size, 2, `distinct pod CIDRs: ${cidrs.join(' ')}`);
  for (const n of nodes) assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata.name} Ready`);
  const other = nodes.find((n) => n.metadata.name === `${th.prefix}-n2`)!;
  await until(async () => new RegExp(`${other.spec!.podCIDR!.replace(/\./g, '\\.')} via ${th.host('n2').ip.replace(/\./g, '\\.')} .*proto 66`).test((await th.runInHost('n1', 'ip route')).stdout), 'route on n1 to n2\'s pods');
});

test('a pod reaches a pod on another node by its IP', async () => {
  for (const a of agents) {
    await admin.pods<Pod>('default').create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${a.name}`, namespace: 'default', labels: { app: `${th.prefix}-web` } },
      spec: {
        nodeName: a.nodeName, terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'web', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never',
          command: ['sh', '-c', `mkdir -p /www/cgi-bin && echo hello-from-${a.name} > /www/index.html && printf '#!/bin/sh\\n%s\\n' '${CGI}' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www`],
        }],
      },
    } as Pod);
  }
  const ip: Record<string, string> = {};
  for (const a of agents) {
    ip[a.name] = await until(async () => {
      const p = await admin.pods<Pod>('default').get(`web-${a.name}`);
      return p.status?.phase === 'Running' && p.status.podIP;
    }, `web-${a.name} Running`);
  }
  const nodes = Object.fromEntries((await admin.nodes<Node>().list()).items.map((n) => [n.metadata.name, n.spec?.podCIDR]));
  assert.ok(ip.n1!.startsWith(nodes[`${th.prefix}-n1`]!.replace(/0\/24$/, '')), 'pod IP from its node\'s CIDR');

  // From the other host.
  for (const [from, to] of [['n1', 'n2'], ['n2', 'n1']] as const) {
    const r = await until(async () => {
      const x = await th.runInHost(from, ['curl', '-sS', '--max-time', '3', `http://${ip[to]}:8080/index.html`]);
      return x.code === 0 && x;
    }, `host ${from} -> pod on ${to}`, 20_000);
    assert.equal(r.stdout.trim(), `hello-from-${to}`);
  }

  // From inside a pod on n1 to the pod on n2 (kubectl exec goes API server -> agent on n1).
  const cache = join(scratch, 'kubectl', 'cache');
  const r = await runKubectl(server.kubeconfigPath, cache, ['exec', 'web-n1', '--', 'wget', '-qO-', `http://${ip.n2}:8080/cgi-bin/ip`]);
  assert.equal(r.code, 0, r.stderr);
  // busybox httpd reports IPv4 clients as [::ffff:a.b.c.d].
  seen = { source: r.stdout.trim().replace(/^\[?(::ffff:)?|\]$/g, ''), clientPod: ip.n1!, clientNode: th.host('n1').ip };
  assert.ok([seen.clientPod, seen.clientNode].includes(seen.source), `the pod on n2 saw ${seen.source}`);
});

// Masquerade only traffic leaving the cluster: the receiving pod sees the client pod's own address
// (the CNI bridge's ipMasq is off when the pod network runs: docs/networking.md).
test('pod-to-pod traffic across nodes keeps the client pod address', () => {
  assert.ok(seen, 'the previous test ran');
  assert.equal(seen.source, seen.clientPod);
});

test('a Service reaches its endpoints on every node, from every node', async () => {
  const svc = await admin.services('default').create({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: `${th.prefix}-web` }, ports: [{ port: 80, targetPort: 8080 }] },
  } as KubeObject) as { spec?: { clusterIP?: string } };
  const vip = svc.spec!.clusterIP!;
  for (const from of ['n1', 'n2']) {
    const answered = new Set<string>();
    await until(async () => {
      const r = await th.runInHost(from, ['curl', '-sS', '--max-time', '2', `http://${vip}/index.html`]);
      if (r.code === 0) answered.add(r.stdout.trim());
      return answered.size === 2;
    }, `both endpoints through ${vip} from ${from} (so far: ${[...answered].join(', ')})`, 60_000);
    assert.deepEqual([...answered].sort(), ['hello-from-n1', 'hello-from-n2']);
  }
});
