/**
 * `bosun killall --data-dir DIR`: removes everything of the node whose data dir is DIR, as
 * k3s-killall.sh does for k3s, and nothing of another node sharing the machine. In order:
 *
 * 1. the bosun server/agent process running it (its PID is in DIR/bosun.pid and the node's
 *    host-resources.json), SIGTERM and after 15 s SIGKILL;
 * 2. every pod sandbox through the node's containerd while it still answers (stop + remove: the CNI
 *    DEL that frees the pod's address, veth, network namespace and hostport rules);
 * 3. what is left: containerd, the shims and container processes (the command lines naming DIR,
 *    the pod cgroup tree), SIGKILLed; their network namespaces deleted;
 * 4. mounts under DIR (pod volumes, rootfs, the shm of sandboxes), deepest first;
 * 5. the pod cgroup tree, the proxy's and masquerade's nftables tables, the host-gw routes (proto
 *    66) and the CNI bridge, as recorded at the node's last start.
 *
 * DIR itself stays (`bosun uninstall` removes it). Idempotent: a second run finds nothing.
 * A server's own node lives in DIR/node, an agent's in DIR: both are looked at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containerdPaths } from '../../agent/containerd/config.js';
import { removeCgroup } from '../../agent/runtime/cgroups.js';
import { CriRuntime } from '../../agent/runtime/cri/cri-runtime.js';
import { BOSUN_ROUTE_PROTO } from '../../agent/routes/route-applier.js';
import { readHostResources, readPidFile, type HostResources } from '../host-resources.js';
import { alive, isBosun, netnsInode, processesInCgroup, processesNaming, signalAndWait } from './host-processes.js';

export interface KillallReport {
  /** The bosun process stopped, if one ran. */
  bosunPid?: number;
  sandboxesRemoved: number;
  processesKilled: number;
  netnsDeleted: string[];
  unmounted: string[];
  /** nftables tables deleted (`ip <name>`). */
  tables: string[];
  routesRemoved: boolean;
  bridgeDeleted?: string;
  cgroupRoots: string[];
}

const quiet = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
};

/** Mount points at or under `dir` (from /proc/self/mountinfo, octal escapes decoded), deepest first. */
function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const m = line.split(' ')[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (m && (m === dir || m.startsWith(`${dir}/`))) out.push(m);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Stops and removes every sandbox of the containerd at `socket` (bounded: a hung containerd is killed next). */
async function removeSandboxes(socket: string): Promise<number> {
  if (!existsSync(socket)) return 0;
  const cri = new CriRuntime({ socket, defaultTimeoutMs: 10_000 });
  let n = 0;
  try {
    for (const s of await cri.listPodSandboxes()) {
      await cri.stopPodSandbox(s.id).catch(() => undefined);
      await cri.removePodSandbox(s.id).then(() => n++, () => undefined);
    }
  } catch {
    /* containerd not answering: its processes are killed below */
  } finally {
    cri.close();
  }
  return n;
}

/** Deletes /run/netns entries that are the network namespaces with these inodes. */
function deleteNetns(inodes: Set<string>): string[] {
  const deleted: string[] = [];
  const host = netnsInode(process.pid);
  for (const dir of ['/run/netns', '/var/run/netns']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      try {
        const ino = String(statSync(join(dir, name)).ino);
        if (ino !== host && inodes.has(ino) && quiet('ip', ['netns', 'del', name])) deleted.push(name);
      } catch { /* gone */ }
    }
    break;
  }
  return deleted;
}

export async function killall(dataDir: string): Promise<KillallReport> {
  const nodeDirs = [dataDir, join(dataDir, 'node')];
  const records = nodeDirs.map(readHostResources).filter((r): r is HostResources => !!r);
  const report: KillallReport = { sandboxesRemoved: 0, processesKilled: 0, netnsDeleted: [], unmounted: [], tables: [], routesRemoved: false, cgroupRoots: [] };

  for (const pid of new Set([readPidFile(dataDir), ...records.map((r) => r.pid)])) {
    if (pid === undefined || pid === process.pid || !alive(pid) || !isBosun(pid)) continue;
    report.bosunPid = pid;
    const left = await signalAndWait([pid], 'SIGTERM', 15_000);
    await signalAndWait(left, 'SIGKILL', 5_000);
  }
  for (const d of nodeDirs) report.sandboxesRemoved += await removeSandboxes(containerdPaths(join(d, 'containerd')).socket);

  const pids = new Set(processesNaming(dataDir));
  for (const r of records) for (const p of processesInCgroup(r.cgroupRoot)) pids.add(p);
  const inodes = new Set([...pids].map(netnsInode).filter((x): x is string => !!x));
  inodes.delete(netnsInode(process.pid) ?? '');
  const stubborn = await signalAndWait([...pids], 'SIGKILL', 5_000);
  report.processesKilled = pids.size - stubborn.length;
  report.netnsDeleted = deleteNetns(inodes);

  for (const m of mountsUnder(dataDir)) if (quiet('umount', [m]) || quiet('umount', ['-l', m])) report.unmounted.push(m);

  for (const r of records) {
    removeCgroup(r.cgroupRoot);
    report.cgroupRoots.push(r.cgroupRoot);
    for (const t of [r.proxyTable, r.policyTable, r.masqTable]) if (t && quiet('nft', ['delete', 'table', 'ip', t])) report.tables.push(t);
    if (r.routes) report.routesRemoved = quiet('ip', ['-4', 'route', 'flush', 'proto', String(BOSUN_ROUTE_PROTO)]) || report.routesRemoved;
    if (existsSync(`/sys/class/net/${r.bridge}`) && quiet('ip', ['link', 'del', r.bridge])) report.bridgeDeleted = r.bridge;
  }
  return report;
}
