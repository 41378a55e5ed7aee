/**
 * A real single-node cluster for end-to-end tests and benchmarks: the COMPILED `bosun server`
 * (bin/bosun.js, so `npm run build` first) as a child process with its embedded node, everything
 * named with a unique prefix so that several can run on one machine at once: node name, data dir,
 * CNI bridge, pod CIDR (a /24 of 10.240.0.0/12 no route uses yet), pod cgroup root, service network
 * (a /16 no other live test node has, service-cidr.ts); the DNS server
 * is off (it would need port 53 on the node IP). The busybox test image is imported with
 * `bosun images import`. `stop()` deletes the pods, stops the server with SIGTERM and reports what
 * the node left on the host; `forceCleanup()` removes it whatever happened.
 * Needs root, containerd, runc, CNI plugins and scripts/build-test-images.sh.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import { containerdPaths } from '../agent/containerd/config.js';
import { CriRuntime } from '../agent/runtime/cri/cri-runtime.js';
import { BUSYBOX_TARBALL, REPO_ROOT, requireTestImages } from '../agent/testing/private-containerd.js';
import { cgroupDirsExisting, deleteLink, linkExists, listNetns, mountsUnder, natRulesMatching, processesMentioning, removeCgroupTree } from '../agent/testing/host-state.js';
import { tagLocalPathHelperImage } from './helper-image.js';
import { cleanupNodeState } from './node-state-cleanup.js';
import { readHostResources } from '../cluster/host-resources.js';
import { runKubectl, type KubectlOptions, type KubectlResult } from './test-cluster.js';
import { eventually } from './eventually.js';
import { reserveServiceCIDR } from './service-cidr.js';

const run = promisify(execFile);
export const BOSUN_BIN = join(REPO_ROOT, 'bin', 'bosun.js');

export interface NodeServerOptions {
  /** Extra `bosun server` flags. */
  extraArgs?: string[];
  /** Wait for the node to be Ready (default true). */
  waitReady?: boolean;
  /** Import the busybox test image into the node (default true; false with --disable-agent). */
  importImages?: boolean;
}

/** What a stopped node left on the host (all empty when clean). */
export interface Leftovers {
  processes: number[];
  netns: string[];
  mounts: string[];
  cgroups: string[];
  /** iptables nat rules naming the node's pod CIDR (CNI masquerade and hostport chains). */
  nat: string[];
  bridge: boolean;
}

export interface NodeServer {
  prefix: string;
  nodeName: string;
  dataDir: string;
  podCIDR: string;
  bridge: string;
  cgroupRoot: string;
  kubeconfig: string;
  url: string;
  child: ChildProcess;
  /** Output of the current server process. */
  output(): string;
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** CRI client on the node's containerd (close it after use). */
  cri(): CriRuntime;
  /** SIGKILL the server (its containerd child survives as an orphan; pods keep running). */
  kill9(): Promise<void>;
  /** Starts the server again on the same data dir and waits for it to listen. */
  restart(): Promise<void>;
  /** Deletes every pod, SIGTERMs the server, returns its exit code and what was left behind. */
  stop(): Promise<{ exitCode: number | null; leftovers: Leftovers }>;
  /** Last resort: kills and removes everything of this node, removes the data dir. Idempotent. */
  forceCleanup(): Promise<void>;
}

function routeFree(cidr: string): boolean {
  return execFileSync('ip', ['-4', 'route', 'show', cidr], { encoding: 'utf8' }).trim() === '';
}

function pickPodCIDR(): string {
  for (;;) {
    const cidr = `10.${240 + randomInt(16)}.${randomInt(256)}.0/24`;
    if (routeFree(cidr)) return cidr;
  }
}

/** Deletes the nftables tables the node in `nodeDir` recorded (its proxy's and masquerade's). */
export function dropNodeTables(nodeDir: string): void {
  const r = readHostResources(nodeDir);
  for (const t of [r?.proxyTable, r?.policyTable, r?.masqTable]) {
    if (t) try { execFileSync('nft', ['delete', 'table', 'ip', t], { stdio: 'ignore' }); } catch { /* not there */ }
  }
}

/** Waits until `fn` returns something truthy, polling every `everyMs`; a throw counts as "not yet". */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  return eventually(fn, what, { timeoutMs, intervalMs: everyMs, retryErrors: true });
}

function netnsInode(pid: number): string | undefined {
  try {
    return /net:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
  } catch {
    return undefined;
  }
}

/** Names of /run/netns entries that are the network namespaces of processes in `cgroupRoot`. */
function netnsOfCgroupTree(cgroupRoot: string): string[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    try {
      for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.add(Number(l));
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch { /* gone */ }
  };
  for (const d of cgroupDirsExisting(cgroupRoot)) walk(d);
  const inodes = new Set([...pids].map(netnsInode).filter(Boolean));
  const hostNs = netnsInode(process.pid);
  return listNetns().filter((n) => {
    try {
      const ino = String(statSync(`/run/netns/${n}`).ino);
      return ino !== hostNs && inodes.has(ino);
    } catch {
      return false;
    }
  });
}

export async function startNodeServer(o: NodeServerOptions = {}): Promise<NodeServer> {
  requireTestImages();
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js missing: run `npm run build` first (these tests run the compiled bosun)');
  const prefix = `bzn${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(`/tmp/${prefix}-`);
  const cacheDir = join(dataDir, 'kubectl-cache');
  const podCIDR = pickPodCIDR();
  const nodeName = prefix;
  const bridge = prefix;
  const cgroupRoot = `/${prefix}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const serviceNet = (o.extraArgs ?? []).includes('--service-cidr') ? undefined : reserveServiceCIDR(prefix);
  const args = [
    BOSUN_BIN, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1',
    '--node-name', nodeName, '--agent-port', '0', '--pod-cidr', podCIDR, '--cni-bridge', bridge,
    '--cgroup-root', cgroupRoot, '--cluster-dns-port', '0', '--proxy-table', prefix,
    // A service network no other live test node on the host has (service-cidr.ts says why).
    ...(serviceNet ? ['--service-cidr', serviceNet.cidr] : []), ...(o.extraArgs ?? []),
  ];
  const seenNetns = new Set<string>();

  let child!: ChildProcess;
  let out = '';
  let url = '';
  let exited!: Promise<void>;
  const spawnServer = async (): Promise<void> => {
    out = '';
    child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const c = child;
    exited = new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bosun server did not start in time:\n${out}`)), 60_000);
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /bosun: listening on (https:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`bosun server exited (${code ?? sig}):\n${out}`));
      });
    });
  };

  const kubectl = (a: string[], ko?: KubectlOptions) => runKubectl(kubeconfig, cacheDir, a, ko);
  const k = async (...a: string[]): Promise<string> => {
    const r = await kubectl(a);
    if (r.code !== 0) throw new Error(`kubectl ${a.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const socket = containerdPaths(join(dataDir, 'node', 'containerd')).socket;
  let cleaned = false;

  const forceCleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await cleanupNodeState({ dataDir, cgroupRoot });
    dropNodeTables(join(dataDir, 'node'));
    removeCgroupTree(cgroupRoot);
    deleteLink(bridge);
    rmSync(dataDir, { recursive: true, force: true });
    serviceNet?.release();
  };

  const ns: NodeServer = {
    prefix, nodeName, dataDir, podCIDR, bridge, cgroupRoot, kubeconfig,
    get url() { return url; },
    get child() { return child; },
    output: () => out,
    kubectl, k,
    cri: () => new CriRuntime({ socket, defaultTimeoutMs: 10_000 }),
    async kill9() {
      for (const n of netnsOfCgroupTree(cgroupRoot)) seenNetns.add(n);
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await spawnServer();
    },
    async stop() {
      for (const n of netnsOfCgroupTree(cgroupRoot)) seenNetns.add(n);
      const nsList = await k('get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}');
      for (const n of nsList.split(/\s+/).filter(Boolean)) {
        await kubectl(['delete', 'pods', '--all', '-n', n, '--grace-period=1', '--wait=false']);
      }
      // The agent removes sandboxes and pod cgroups once the pods are gone.
      const cri = ns.cri();
      try {
        await waitFor('the node to remove every sandbox', async () => (await cri.listPodSandboxes()).length === 0 && (await cri.listContainers()).length === 0, 60_000, 300);
      } finally {
        cri.close();
      }
      child.kill('SIGTERM');
      await exited;
      const exitCode = child.exitCode;
      const podCgroups = cgroupDirsExisting(cgroupRoot).flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)));
      const present = new Set(listNetns());
      const leftovers: Leftovers = {
        processes: processesMentioning(dataDir),
        netns: [...seenNetns].filter((n) => present.has(n)),
        mounts: mountsUnder(dataDir),
        cgroups: podCgroups,
        nat: natRulesMatching(new RegExp(`\\b${podCIDR.split('.').slice(0, 3).join('\\.')}\\.`)),
        bridge: false,
      };
      removeCgroupTree(cgroupRoot);
      // A stopped node leaves its proxy and masquerade tables for its pods, as kube-proxy does
      // (`bosun killall` removes them); the test removes them here.
      dropNodeTables(join(dataDir, 'node'));
      serviceNet?.release();
      // The test made the bridge (the node leaves it, as the CNI bridge plugin does); remove it.
      deleteLink(bridge);
      leftovers.bridge = linkExists(bridge);
      return { exitCode, leftovers };
    },
    forceCleanup,
  };

  try {
    await spawnServer();
    if (o.importImages !== false) {
      await run(process.execPath, [BOSUN_BIN, 'images', 'import', BUSYBOX_TARBALL, '--data-dir', dataDir]);
      await tagLocalPathHelperImage(containerdPaths(join(dataDir, 'node', 'containerd')).socket);
    }
    if (o.waitReady !== false) {
      await waitFor('the node to be Ready', async () => {
        const r = await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
        return r.stdout === 'True';
      }, 60_000);
    }
  } catch (err) {
    await forceCleanup();
    throw err;
  }
  return ns;
}

/**
 * One node server for a describe block: started in `before`, stopped and cleaned up in `after`
 * (`beforeStop` first, e.g. deleting controllers whose pods stop() would see recreated). Returns a
 * getter for the node.
 */
export function useNodeServer(o: NodeServerOptions = {}, beforeStop?: (node: NodeServer) => Promise<unknown>): () => NodeServer {
  let node: NodeServer | undefined;
  before(async () => {
    node = await startNodeServer(o);
  });
  after(async () => {
    try {
      if (node && beforeStop) await beforeStop(node);
      await node?.stop();
    } finally {
      await node?.forceCleanup();
    }
  });
  return () => node!;
}
