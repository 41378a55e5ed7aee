/**
 * Test hosts: a small "cluster of machines" on this one machine, made of network namespaces. The
 * "switch" is a bridge inside a namespace of its own, `bzh<rand>--switch`; the root namespace is
 * plugged into it by a veth `bzh<rand>` holding .1 of a private /24 (172.31.<rand>.0/24, one not in
 * use here); each host is a namespace `bzh<rand>-<name>` with a veth (eth0 inside) plugged into the
 * switch, its own address (.2, .3, ...), loopback up and a default route via .1, so hosts reach each
 * other and the root namespace reaches them. Only addresses made here are used.
 *
 * The bridge is not in the root namespace because there br_netfilter hands every bridged packet to
 * the root namespace's nftables: a node that another test runs at the same time (its masquerade of
 * 10.42.0.0/16, its NetworkPolicy table, its conntrack) would then judge, rewrite or drop traffic
 * between these hosts. Host-to-host traffic never leaves the switch namespace, which has no rules.
 *
 * Commands run through `nsenter --net=/run/netns/<ns>`, not `ip netns exec`: the latter also makes
 * a mount namespace with a fresh /sys, which hides /sys/fs/cgroup, and runc (containerd) then fails
 * with "no cgroup mount found in mountinfo". Only the network namespace differs from the host's.
 *
 * `teardown()` runs the test's `addCleanup` hooks, kills what `spawnInHost` started and anything else left in the namespaces, flushes
 * their nftables rulesets, and deletes the namespaces, veths and bridge; it runs on process exit
 * too (synchronously) in case a test dies first. The bridge's alias records the owning pid, so a
 * later run sweeps what a killed run (SIGKILL) left behind, and only that (test-hosts-sweep.ts).
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ALIAS_PREFIX, ipSync, removeSync, sweepStaleTestHosts } from './test-hosts-sweep.js';

export { sweepStaleTestHosts };

export interface TestHost {
  /** Short name given by the test (n1, server, ...). */
  name: string;
  /** The network namespace (for `ip netns exec`). */
  netns: string;
  /** The host's address on the test bridge. */
  ip: string;
  /** The switch's end of its veth (in the switch namespace). */
  veth: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface TestHosts {
  /** Unique prefix of every name made (namespaces, veths). */
  prefix: string;
  /** The root namespace's link to the switch (a veth holding the gateway address). */
  bridge: string;
  /** The switch's namespace. */
  switchNetns: string;
  /** e.g. 172.31.77.0/24 */
  subnet: string;
  /** The root namespace's address on the switch, each host's default gateway. */
  gateway: string;
  hosts: TestHost[];
  host(name: string): TestHost;
  /** Adds another host (a machine joining later). */
  addHost(name: string): Promise<TestHost>;
  /** Runs a command in the host's namespace to completion; a string runs through `sh -c`. Never rejects on exit code. */
  runInHost(host: TestHost | string, cmd: string | string[], o?: { timeoutMs?: number; input?: string }): Promise<RunResult>;
  /** Starts a process in the host's namespace (own process group); teardown kills it. */
  spawnInHost(host: TestHost | string, cmd: string, args?: string[], o?: SpawnOptions): ChildProcess;
  /** The argv prefix that runs a command in the host's network namespace. */
  execPrefix(host: TestHost | string): string[];
  /** Runs before the namespaces are removed on teardown (stop agents and containerd, unmount, ...); last added runs first. */
  addCleanup(fn: () => void | Promise<void>): void;
  /** Kills every process in the host's namespace and unplugs it (a machine dying). The namespace stays until teardown. */
  killHost(host: TestHost | string): Promise<void>;
  /** Unplugs the host from the bridge, its processes running on (a network partition); reviveHost heals it. */
  unplugHost(host: TestHost | string): Promise<void>;
  /** Plugs a killed or unplugged host back in (its veth up, its default route back): the machine rebooted. */
  reviveHost(host: TestHost | string): Promise<void>;
  /** Removes everything made. Idempotent. */
  teardown(): Promise<void>;
}

export interface TestHostsOptions {
  /** Host names; default ['n1', 'n2']. */
  hosts?: string[];
}

function run(cmd: string, args: string[], o: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr) || (err && code === 1 && !stderr ? err.message : ''), code });
    });
    // A command that never reads stdin may exit before it is written.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(o.input ?? '');
  });
}

async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** A 172.31.X.0/24 with no address or route on this machine. */
function freeSubnet(): number {
  const used = ipSync(['-4', 'addr', 'show']) + ipSync(['-4', 'route', 'show', 'table', 'all']);
  for (let i = 0; i < 64; i++) {
    const x = randomBytes(1)[0]!;
    if (!used.includes(`172.31.${x}.`)) return x;
  }
  throw new Error('no free 172.31.X.0/24 subnet for test hosts');
}

/** Another run picked the same subnet at the same moment: retried with a new one. */
class SubnetClash extends Error {}

export async function createTestHosts(o: TestHostsOptions = {}): Promise<TestHosts> {
  sweepStaleTestHosts();
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOnce(o);
    } catch (err) {
      if (!(err instanceof SubnetClash) || attempt >= 5) throw err;
    }
  }
}

async function createOnce(o: TestHostsOptions): Promise<TestHosts> {
  const prefix = `bzh${randomBytes(3).toString('hex').slice(0, 5)}`;
  const x = freeSubnet();
  const subnet = `172.31.${x}.0/24`;
  const gateway = `172.31.${x}.1`;
  const switchNetns = `${prefix}--switch`;
  const inSwitch = (args: string[]) => must('ip', ['-n', switchNetns, ...args]);
  const hosts: TestHost[] = [];
  const children = new Map<ChildProcess, string>();
  const cleanups: (() => void | Promise<void>)[] = [];
  const prefixFor = (h: TestHost | string): string[] => ['nsenter', `--net=/run/netns/${byName(h).netns}`, '--'];
  let nextOctet = 2;
  let torn: Promise<void> | undefined;
  const onExit = (): void => removeSync(prefix);
  process.once('exit', onExit);

  const byName = (h: TestHost | string): TestHost => {
    if (typeof h !== 'string') return h;
    const found = hosts.find((e) => e.name === h);
    if (!found) throw new Error(`no test host ${h}`);
    return found;
  };

  async function addHost(name: string): Promise<TestHost> {
    if (!/^[a-z0-9]{1,8}$/.test(name)) throw new Error(`test host name must be 1-8 lower-case letters or digits: ${name}`);
    if (hosts.some((h) => h.name === name)) throw new Error(`test host ${name} exists`);
    const i = nextOctet++;
    if (i > 254) throw new Error('too many test hosts');
    const netns = `${prefix}-${name}`;
    const veth = `${prefix}v${i}`;
    const peer = `${prefix}p${i}`;
    const ip = `172.31.${x}.${i}`;
    const host: TestHost = { name, netns, ip, veth };
    hosts.push(host);
    await must('ip', ['netns', 'add', netns]);
    await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
    await must('ip', ['link', 'set', veth, 'netns', switchNetns]);
    await inSwitch(['link', 'set', veth, 'master', 'br0', 'up']);
    await must('ip', ['link', 'set', peer, 'netns', netns]);
    const inNs = (args: string[]) => must('ip', ['netns', 'exec', netns, ...args]);
    await inNs(['ip', 'link', 'set', peer, 'name', 'eth0']);
    await inNs(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await inNs(['ip', 'link', 'set', 'eth0', 'up']);
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    await inNs(['ip', 'route', 'add', 'default', 'via', gateway]);
    return host;
  }

  const api: TestHosts = {
    prefix, bridge: prefix, switchNetns, subnet, gateway, hosts,
    host: byName,
    addHost,
    execPrefix: prefixFor,
    addCleanup(fn) {
      cleanups.push(fn);
    },
    runInHost(h, cmd, ro) {
      const [bin, ...pre] = prefixFor(h);
      const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : cmd;
      return run(bin!, [...pre, ...argv], ro);
    },
    spawnInHost(h, cmd, args = [], so = {}) {
      const [bin, ...pre] = prefixFor(h);
      const child = spawn(bin!, [...pre, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...so, detached: true });
      children.set(child, byName(h).netns);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async killHost(h) {
      const host = byName(h);
      for (const [c, ns] of children) {
        if (ns === host.netns && c.pid) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      const pids = (await run('ip', ['netns', 'pids', host.netns])).stdout.split('\n').filter(Boolean);
      for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      await run('ip', ['-n', switchNetns, 'link', 'set', host.veth, 'down']);
    },
    async unplugHost(h) {
      await inSwitch(['link', 'set', byName(h).veth, 'down']);
    },
    async reviveHost(h) {
      const host = byName(h);
      await inSwitch(['link', 'set', host.veth, 'up']);
      // A link that went down may have taken the default route with it.
      await must('ip', ['netns', 'exec', host.netns, 'ip', 'route', 'replace', 'default', 'via', gateway]);
    },
    teardown() {
      return (torn ??= (async () => {
        for (const fn of cleanups.reverse()) {
          try {
            await fn();
          } catch (err) {
            console.error(`test hosts ${prefix}: cleanup failed:`, err);
          }
        }
        for (const c of children.keys()) {
          if (c.pid && c.exitCode === null && c.signalCode === null) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
        }
        await Promise.all([...children.keys()].map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())))));
        removeSync(prefix);
        process.removeListener('exit', onExit);
      })());
    },
  };

  try {
    await must('ip', ['netns', 'add', switchNetns]);
    await inSwitch(['link', 'add', 'br0', 'type', 'bridge']);
    await inSwitch(['link', 'set', 'br0', 'up']);
    // The switch only forwards frames: no bridged packet goes to its (empty) netfilter hooks.
    await run('ip', ['netns', 'exec', switchNetns, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0']);
    await must('ip', ['link', 'add', prefix, 'type', 'veth', 'peer', 'name', `${prefix}u`]);
    await must('ip', ['link', 'set', prefix, 'alias', `${ALIAS_PREFIX}${process.pid}`]);
    await must('ip', ['link', 'set', `${prefix}u`, 'netns', switchNetns]);
    await inSwitch(['link', 'set', `${prefix}u`, 'master', 'br0', 'up']);
    await must('ip', ['addr', 'add', `${gateway}/24`, 'dev', prefix]);
    const clash = (await must('ip', ['-4', '-o', 'addr', 'show'])).split('\n').filter((l) => l.includes(` 172.31.${x}.`) && !l.includes(` ${prefix} `));
    if (clash.length > 0) throw new SubnetClash(`172.31.${x}.0/24 is also on: ${clash.join('; ')}`);
    await must('ip', ['link', 'set', prefix, 'up']);
    for (const name of o.hosts ?? ['n1', 'n2']) await addHost(name);
  } catch (err) {
    await api.teardown();
    throw err;
  }
  return api;
}
