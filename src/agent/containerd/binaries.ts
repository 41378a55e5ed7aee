import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** PATH for containerd and its shims: they look up runc and the shim binaries there. */
export const RUNTIME_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A program the node runtime needs, and the Debian package that ships it. */
interface Requirement {
  name: string;
  /** Absolute path, or a bare name looked up in RUNTIME_PATH. */
  path: string;
  debianPackage: string;
}

function requirements(cniBinDir: string): Requirement[] {
  return [
    { name: 'containerd', path: 'containerd', debianPackage: 'containerd' },
    { name: 'containerd-shim-runc-v2', path: 'containerd-shim-runc-v2', debianPackage: 'containerd' },
    { name: 'ctr', path: 'ctr', debianPackage: 'containerd' },
    { name: 'runc', path: 'runc', debianPackage: 'runc' },
    ...['bridge', 'host-local', 'portmap', 'loopback'].map((p) => ({
      name: `CNI plugin ${p}`,
      path: join(cniBinDir, p),
      debianPackage: 'containernetworking-plugins',
    })),
  ];
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `name` in RUNTIME_PATH (or `name` itself when absolute), or undefined. */
export function findBinary(name: string): string | undefined {
  if (name.startsWith('/')) return isExecutable(name) ? name : undefined;
  for (const dir of RUNTIME_PATH.split(delimiter)) {
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/** Thrown when programs are missing; the message names the Debian packages to install. */
export class MissingBinariesError extends Error {
  override readonly name = 'MissingBinariesError';
  constructor(
    readonly missing: string[],
    readonly packages: string[],
  ) {
    super(
      `the container runtime is not installed: missing ${missing.join(', ')}. ` +
        `Install it with: apt-get install ${packages.join(' ')} (or run scripts/setup.sh)`,
    );
  }
}

/** Throws MissingBinariesError unless containerd, its runc shim, ctr, runc and the CNI plugins are there. */
export function checkRuntimeBinaries(cniBinDir = '/usr/lib/cni'): void {
  const missing = requirements(cniBinDir).filter((r) => !findBinary(r.path));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((r) => r.debianPackage))];
  throw new MissingBinariesError(missing.map((r) => r.name), packages);
}
