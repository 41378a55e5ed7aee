import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CriRuntime } from '../runtime/cri/cri-runtime.js';
import { RUNTIME_PATH, checkRuntimeBinaries } from './binaries.js';
import { PAUSE_IMAGE } from './pause-image.js';
import { containerdPaths, renderContainerdConfig, renderHostsToml, type ContainerdPaths, type RegistryConfig, type RegistryHost } from './config.js';

/**
 * Runs a private containerd as a child process: writes its config under `dir` (DATA_DIR/containerd),
 * starts it, waits until its socket answers CRI Version, and stops it with SIGTERM then SIGKILL.
 * Pods (shims) outlive containerd's exit by design; stopping them is the agent's job, not this one's.
 */

export interface ContainerdOptions {
  /** Base directory for everything containerd keeps (DATA_DIR/containerd). */
  dir: string;
  /** Pod sandbox image; Bosun's own is bosun.local/pause:1 (import it before the first pod). */
  sandboxImage?: string;
  cniBinDir?: string;
  /** Registry hosts to redirect, written as certs.d/<host>/hosts.toml. */
  registries?: RegistryHost[];
  /** A registries file's hosts and credentials (src/agent/registries). */
  registryConfig?: RegistryConfig;
  /** How long to wait for the socket to answer (default 30 s). */
  startTimeoutMs?: number;
  logLevel?: string;
}

/** The sandbox image containerd is configured with (see pause-image.ts). */
export const DEFAULT_SANDBOX_IMAGE = PAUSE_IMAGE;

/** A running private containerd. */
export interface ContainerdHandle {
  paths: ContainerdPaths;
  /** Absolute socket path (pass to CriRuntime / ctr). */
  socket: string;
  pid: number;
  /** SIGTERM, wait up to `graceMs` (default 10 s), then SIGKILL. Resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Writes the config and hosts.toml files; returns the paths. Exposed for `bosun` diagnostics. */
export function prepareContainerdDir(opts: ContainerdOptions): ContainerdPaths {
  const paths = containerdPaths(opts.dir);
  for (const d of [paths.base, paths.root, paths.state, paths.opt, paths.runcRoot, paths.cniConfDir, paths.registryConfigDir]) {
    mkdirSync(d, { recursive: true, mode: 0o711 });
  }
  writeFileSync(
    paths.config,
    renderContainerdConfig({
      paths, sandboxImage: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE, cniBinDir: opts.cniBinDir, logLevel: opts.logLevel,
      registryAuths: opts.registryConfig?.auths,
    }),
  );
  // certs.d is rewritten at each start: a registry removed from the file must not linger.
  for (const e of readdirSync(paths.registryConfigDir)) rmSync(join(paths.registryConfigDir, e), { recursive: true, force: true });
  writeRegistryHosts(paths, opts.registries ?? []);
  for (const h of opts.registryConfig?.hosts ?? []) {
    mkdirSync(join(paths.registryConfigDir, h.dir), { recursive: true });
    writeFileSync(join(paths.registryConfigDir, h.dir, 'hosts.toml'), h.toml);
  }
  return paths;
}

/**
 * Writes certs.d/<host>/hosts.toml for each registry. containerd re-reads these on every pull, so
 * this also works while it runs.
 */
export function writeRegistryHosts(paths: ContainerdPaths, registries: RegistryHost[]): void {
  for (const r of registries) {
    const hostDir = join(paths.registryConfigDir, r.host.replace(/\//g, '_'));
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, 'hosts.toml'), renderHostsToml(r));
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `child` has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts containerd and waits until CRI answers. Throws MissingBinariesError when not installed. */
export async function startContainerd(opts: ContainerdOptions): Promise<ContainerdHandle> {
  checkRuntimeBinaries(opts.cniBinDir);
  // A socket left by a containerd that died would make the new one fail to listen; a live one
  // must keep its config untouched.
  const socket = containerdPaths(opts.dir).socket;
  if (existsSync(socket)) {
    await stopOrphanedContainerd(containerdPaths(opts.dir));
    await ensureNotServing(socket);
  }
  const paths = prepareContainerdDir(opts);
  rmSync(paths.socket, { force: true });
  rmSync(paths.ttrpcSocket, { force: true });

  const logFd = openSync(paths.log, 'a');
  const child = spawn('containerd', ['--config', paths.config], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, PATH: RUNTIME_PATH },
  });
  closeSync(logFd);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  // "<containerd pid> <supervisor pid>": lets the next start recognise an orphan of a crashed Bosun.
  writeFileSync(join(paths.base, 'containerd.pid'), `${child.pid ?? ''} ${process.pid}\n`);

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)));
    const late = await Promise.race([done.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      child.kill('SIGKILL');
      await done;
    }
    rmSync(join(paths.base, 'containerd.pid'), { force: true });
  };

  try {
    await Promise.race([waitForCri(paths.socket, opts.startTimeoutMs ?? 30_000, child), spawnError]);
  } catch (err) {
    await stop(2000);
    const log = tail(paths.log);
    throw new Error(`containerd did not start: ${(err as Error).message}${log ? `\n--- ${paths.log} ---\n${log}` : ''}`);
  }
  return { paths, socket: paths.socket, pid: child.pid!, stop };
}

/** Polls CRI Version until it answers; fails early if the process exits. */
async function waitForCri(socket: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`containerd exited (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (existsSync(socket)) {
      const cri = new CriRuntime({ socket, defaultTimeoutMs: 2000 });
      try {
        await cri.version();
        return;
      } catch (err) {
        last = (err as Error).message;
      } finally {
        cri.close();
      }
    }
    await sleep(50);
  }
  throw new Error(`no CRI answer on ${socket} within ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
}

/** Parent pid of `pid` from /proc, undefined when it is gone. */
function parentPid(pid: number): number | undefined {
  try {
    // The command name in field 2 may hold spaces; fields after its closing ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Stops the containerd a previous supervisor of this directory left running when it died without
 * stopping it (kill -9 of `bosun server`: a child is not killed with its parent). It is recognised by
 * the pid file (containerd pid and supervisor pid), its command line naming this directory's config,
 * and its parent no longer being that supervisor. Pods survive (their shims outlive containerd).
 * A containerd whose supervisor still runs is left alone. Returns whether one was stopped.
 */
export async function stopOrphanedContainerd(paths: ContainerdPaths, graceMs = 10_000): Promise<boolean> {
  let pid: number;
  let supervisor: number;
  try {
    [pid, supervisor] = readFileSync(join(paths.base, 'containerd.pid'), 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  let cmdline: string[];
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const isOurs = cmdline[0]?.endsWith('containerd') && cmdline.includes(paths.config);
  const ppid = parentPid(pid);
  if (!isOurs || ppid === undefined || ppid === supervisor) return false;
  // A zombie (exited, not yet reaped by its new parent) counts as gone.
  const alive = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
  while (alive()) await sleep(20);
  return true;
}

/** Throws if a live containerd answers on `socket` (two daemons must not share one directory). */
async function ensureNotServing(socket: string): Promise<void> {
  const cri = new CriRuntime({ socket, defaultTimeoutMs: 1000 });
  try {
    await cri.version();
  } catch {
    return;
  } finally {
    cri.close();
  }
  throw new Error(`a containerd is already serving ${socket}; stop it first`);
}
