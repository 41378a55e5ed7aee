/**
 * Last-resort removal of what a node (agent + private containerd + pods) left on this machine when a
 * test could not stop it cleanly: processes in the node's pod cgroup root or mentioning its data dir
 * (containerd, shims, containers), the pods' network namespaces (found through those processes
 * before they are killed), mounts under the data dir and the cgroup tree. Scoped to the node's own
 * data dir and cgroup root: nothing else is touched.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cgroupDirsExisting, processesMentioning, removeCgroupTree, unmountUnder } from '../agent/testing/host-state.js';

export interface NodeState {
  /** The node's DATA_DIR (containerd state and pod volumes are under it). */
  dataDir: string;
  /** The agent's --cgroup-root, e.g. /bzh1a2b3n1. */
  cgroupRoot?: string;
}

function pidsInCgroupTree(dir: string, out: Set<number>): void {
  try {
    for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) out.add(Number(l));
  } catch { /* not a cgroup dir, or gone */ }
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) pidsInCgroupTree(p, out);
    } catch { /* gone */ }
  }
}

const netnsInode = (pid: number): string | undefined => {
  try {
    return /net:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
  } catch {
    return undefined;
  }
};

export async function cleanupNodeState(s: NodeState): Promise<void> {
  const pids = new Set<number>(processesMentioning(s.dataDir));
  if (s.cgroupRoot) for (const d of cgroupDirsExisting(s.cgroupRoot)) pidsInCgroupTree(d, pids);
  pids.delete(process.pid);
  const inodes = new Set([...pids].map(netnsInode).filter((x): x is string => !!x));
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (let i = 0; i < 50 && [...pids].some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 20));
  const hostNs = netnsInode(process.pid);
  for (const dir of ['/run/netns', '/var/run/netns']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('cni-')) continue;
      try {
        const ino = String(statSync(join(dir, name)).ino);
        if (ino !== hostNs && inodes.has(ino)) execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch { /* gone */ }
    }
    break;
  }
  unmountUnder(s.dataDir);
  if (s.cgroupRoot) removeCgroupTree(s.cgroupRoot);
}
