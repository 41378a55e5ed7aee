/**
 * Throwaway network namespaces for proxy tests and benchmarks: `bosunt-<random>`, loopback up,
 * deleted (with every nftables table in it) however the body ends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why netns tests cannot run here, or undefined when they can (root, `ip` and `nft` present). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  for (const bin of ['ip', 'nft']) {
    try {
      execFileSync(bin, ['-V'], { stdio: 'ignore' });
    } catch {
      return `${bin} not installed`;
    }
  }
  return undefined;
}

export interface Netns {
  name: string;
  /** Run a command inside the namespace; returns stdout. */
  exec(cmd: string, args: string[]): string;
  /** Start a long-running process inside the namespace. */
  spawn(cmd: string, args: string[]): ChildProcess;
}

export function createNetns(prefix = 'bosunt'): Netns & { remove(): void } {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const exec = (cmd: string, args: string[]): string =>
    execFileSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    exec('ip', ['link', 'set', 'lo', 'up']);
  } catch (err) {
    execFileSync('ip', ['netns', 'del', name]);
    throw err;
  }
  return {
    name, exec,
    spawn: (cmd, args) => spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    remove: () => {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}

/** Run `body` with a fresh namespace and always delete it afterwards. */
export async function withNetns<T>(body: (ns: Netns) => Promise<T>): Promise<T> {
  const ns = createNetns();
  try {
    return await body(ns);
  } finally {
    ns.remove();
  }
}
