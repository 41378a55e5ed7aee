/**
 * A real multi-node cluster on this one machine, for end-to-end tests and benchmarks: test hosts
 * (network namespaces on a test bridge, src/testing/test-hosts.ts), `bosun server` in the host
 * `server` WITH its embedded node, and `bosun agent` in each other host joined with the server's
 * token file, each node with its own containerd, data dir and pod cgroup root. Processes run from
 * the sources through tsx (no build needed). The busybox test image is imported into every node.
 *
 * `killNode` is a machine dying: every process in its namespace (agent, containerd, shims) and its
 * pods' processes are killed, the host is unplugged and what a reboot wipes (pod network
 * namespaces, mounts, cgroups) is removed; its data dir stays, so `restartAgent` brings the same
 * node back as after a reboot. `teardown()` removes everything made, also after a failure.
 * Needs root, containerd, runc, CNI plugins and scripts/build-test-images.sh.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdPaths } from '../agent/containerd/config.js';
import { importImageTarball } from '../agent/containerd/images.js';
import { BUSYBOX_TARBALL, REPO_ROOT, requireTestImages } from '../agent/testing/private-containerd.js';
import { CriRuntime } from '../agent/runtime/cri/cri-runtime.js';
import { KubeClient } from '../client/kube-client.js';
import { tagLocalPathHelperImage } from './helper-image.js';
import { cleanupNodeState } from './node-state-cleanup.js';
import { runKubectl, type KubectlOptions, type KubectlResult } from './test-cluster.js';
import { createTestHosts, type TestHost, type TestHosts } from './test-hosts.js';

export interface MultiNodeClusterOptions {
  /** Host names of the agents (default ['n1', 'n2']); the server runs in host 'server'. */
  agents?: string[];
  /** Extra `bosun server` flags (e.g. --node-monitor-grace-period 8s). */
  serverArgs?: string[];
  /** Time allowed for each process to print that it runs (default 180 s: a busy 2-core machine). */
  startTimeoutMs?: number;
  /**
   * Agents that run the built-in Ingress controller: host name -> its --ingress-http-port. The
   * server names their nodes in --agent-ingress-nodes, without which their join is refused (403).
   */
  ingressAgents?: Record<string, number>;
}

/** One node of the cluster: the server's embedded node or an agent. */
export interface ClusterNodeHandle {
  /** Test host name (server, n1, ...). */
  name: string;
  host: TestHost;
  /** Kubernetes Node name. */
  nodeName: string;
  /** The process's data dir (the server's node keeps its containerd under DATA_DIR/node). */
  dataDir: string;
  cgroupRoot: string;
  containerdSocket: string;
  /** The current `bosun server` / `bosun agent` process. */
  child: ChildProcess;
  output(): string;
  /** Resolves when the current process has exited. */
  exited: Promise<void>;
}

export interface MultiNodeCluster {
  th: TestHosts;
  url: string;
  kubeconfig: string;
  admin: KubeClient;
  server: ClusterNodeHandle;
  agents: ClusterNodeHandle[];
  /** Every node (server first). */
  nodes(): ClusterNodeHandle[];
  node(name: string): ClusterNodeHandle;
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** A CRI client on the node's containerd (close it after use). */
  cri(name: string): CriRuntime;
  /** Starts an agent in a new host `name` and waits until it runs. */
  addAgent(name: string): Promise<ClusterNodeHandle>;
  /** The machine dies (see the file comment); resolves once everything of it is gone. */
  killNode(name: string): Promise<void>;
  /** Plugs the killed host back in and starts its agent again on the same data dir. */
  restartAgent(name: string): Promise<ClusterNodeHandle>;
  /** Stops the server process with `signal` and waits for it to exit. */
  stopServer(signal: NodeJS.Signals): Promise<void>;
  teardown(): Promise<void>;
}

const until = async (what: string, fn: () => boolean, timeoutMs: number, child: ChildProcess, out: () => string): Promise<void> => {
  for (const end = Date.now() + timeoutMs; !fn();) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what}: the process exited:\n${out()}`);
    if (Date.now() > end) throw new Error(`${what}: timed out:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

export async function startMultiNodeCluster(o: MultiNodeClusterOptions = {}): Promise<MultiNodeCluster> {
  requireTestImages();
  const agentNames = o.agents ?? ['n1', 'n2'];
  const startTimeoutMs = o.startTimeoutMs ?? 180_000;
  const ingressAgents = o.ingressAgents ?? {};
  const th = await createTestHosts({ hosts: ['server', ...agentNames] });
  const scratch = mkdtempSync(join(tmpdir(), `bosun-mn-${th.prefix}-`));
  const kubectlCache = join(scratch, 'kubectl', 'cache');
  const handles = new Map<string, ClusterNodeHandle>();
  let admin: KubeClient | undefined;
  let url = '';
  let kubeconfig = '';

  function spawnNode(name: string, args: string[], dataDir: string, cgroupRoot: string, containerdDir: string): ClusterNodeHandle {
    const host = th.host(name);
    // The installed entry point, as users run it: `bosun agent` is then the bundled agent (npm run build).
    const child = th.spawnInHost(host, process.execPath, [join(REPO_ROOT, 'bin/bosun.js'), ...args], { cwd: REPO_ROOT });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const h: ClusterNodeHandle = {
      name, host, nodeName: `${th.prefix}-${name}`, dataDir, cgroupRoot,
      containerdSocket: containerdPaths(containerdDir).socket, child, output: () => out, exited,
    };
    handles.set(name, h);
    return h;
  }

  async function startAgent(name: string): Promise<ClusterNodeHandle> {
    const host = th.host(name);
    const dataDir = join(scratch, name);
    const cgroupRoot = `/${th.prefix}${name}`;
    const h = spawnNode(name, [
      'agent', '--server', url, '--token-file', join(scratch, 'server', 'token'), '--node-name', `${th.prefix}-${name}`,
      '--node-ip', host.ip, '--data-dir', dataDir, '--cgroup-root', cgroupRoot,
      ...(ingressAgents[name] ? ['--ingress-http-port', String(ingressAgents[name])] : []),
    ], dataDir, cgroupRoot, join(dataDir, 'containerd'));
    await until(`agent ${name} start`, () => h.output().includes('bosun: agent running'), startTimeoutMs, h.child, h.output);
    await importImageTarball(h.containerdSocket, BUSYBOX_TARBALL);
    await tagLocalPathHelperImage(h.containerdSocket);
    return h;
  }

  const teardown = async (): Promise<void> => {
    const all = [...handles.values()];
    for (const h of all) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGTERM');
    await Promise.race([Promise.all(all.map((h) => h.exited)), new Promise((r) => setTimeout(r, 15_000))]);
    admin?.close();
    for (const h of all) await cleanupNodeState({ dataDir: h.dataDir, cgroupRoot: h.cgroupRoot }).catch(() => undefined);
    await th.teardown();
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    const serverHost = th.host('server');
    const serverDir = join(scratch, 'server');
    const serverCgroup = `/${th.prefix}server`;
    const server = spawnNode('server', [
      'server', '--data-dir', serverDir, '--port', '0', '--bind-address', serverHost.ip, '--store', 'memory',
      '--node-name', `${th.prefix}-server`, '--node-ip', serverHost.ip, '--cgroup-root', serverCgroup,
      ...(Object.keys(ingressAgents).length ? [`--agent-ingress-nodes=${Object.keys(ingressAgents).map((n) => `${th.prefix}-${n}`).join(',')}`] : []),
      ...(o.serverArgs ?? []),
    ], serverDir, serverCgroup, join(serverDir, 'node', 'containerd'));
    await until('server start', () => /bosun: listening on https:\/\/\S+/.test(server.output()), startTimeoutMs, server.child, server.output);
    url = /bosun: listening on (https:\/\/\S+)/.exec(server.output())![1]!;
    kubeconfig = /bosun: kubeconfig written to (\S+)/.exec(server.output())![1]!;
    admin = KubeClient.fromKubeconfig(kubeconfig);
    await importImageTarball(server.containerdSocket, BUSYBOX_TARBALL);
    await tagLocalPathHelperImage(server.containerdSocket);
    // Agents start one after another: two tsx start-ups at once on 2 cores only slow both down.
    for (const name of agentNames) await startAgent(name);
  } catch (err) {
    await teardown();
    throw err;
  }

  const node = (name: string): ClusterNodeHandle => {
    const h = handles.get(name);
    if (!h) throw new Error(`no node ${name}`);
    return h;
  };
  return {
    th, url, kubeconfig, admin: admin!,
    get server() { return node('server'); },
    get agents() { return [...handles.values()].filter((h) => h.name !== 'server'); },
    nodes: () => [...handles.values()],
    node,
    kubectl: (args, ko) => runKubectl(kubeconfig, kubectlCache, args, ko),
    cri: (name) => new CriRuntime({ socket: node(name).containerdSocket, defaultTimeoutMs: 10_000 }),
    async addAgent(name) {
      await th.addHost(name);
      return startAgent(name);
    },
    async killNode(name) {
      const h = node(name);
      await th.killHost(h.host);
      await h.exited;
      // The pods' own processes live in their pod network namespaces, not the host's.
      await cleanupNodeState({ dataDir: h.dataDir, cgroupRoot: h.cgroupRoot });
    },
    async restartAgent(name) {
      await th.reviveHost(name);
      return startAgent(name);
    },
    async stopServer(signal) {
      const h = node('server');
      h.child.kill(signal);
      await h.exited;
    },
    teardown,
  };
}
