import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/**
 * The kubelet's safe subPath (pkg/volume/util/subpath/subpath_linux.go): a volumeMount's subPath
 * names a path inside a volume that the pod's own containers can change, so a container can turn a
 * component into a symlink to `/` and have the next container started with the host's root. Here
 * the path is resolved on the host (symlinks inside the volume are fine: configMap keys are
 * symlinks into `..data`), refused unless it stays inside the volume, then opened with O_PATH |
 * O_NOFOLLOW and checked again on the open descriptor (what it names now, and that it is no
 * symlink), and that very descriptor is bind-mounted (`/proc/<pid>/fd/<n>`, mount
 * --no-canonicalize) onto DATA_DIR/pods/<uid>/volume-subpaths/<volume>/<container>/<index>: the
 * runtime mounts that, and no later swap of a component can change what it shows. Missing
 * directories are made one component at a time through a verified descriptor of their parent
 * (mkdir under /proc/self/fd/<n>: mkdirat), with the volume root's mode, as upstream's SafeMakeDir.
 */

export class SubPathError extends Error {
  override readonly name = 'SubPathError';
}

/** O_PATH (Linux, same value on x86_64 and arm64); node:fs does not export it. */
const O_PATH = 0o10000000;

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Opens `path` without following a final symlink and checks the descriptor names `path` itself, inside `root`. */
function openVerified(path: string, root: string, flags: number): number {
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NOFOLLOW);
  } catch (err) {
    throw new SubPathError(`cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    const now = readlinkSync(`/proc/self/fd/${fd}`);
    if (now !== path || !within(now, root)) throw new SubPathError(`${path} changed while it was opened (now ${now})`);
    if (fstatSync(fd).isSymbolicLink()) throw new SubPathError(`${path} is a symlink`);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Resolves `path` with every symlink followed and refuses a result outside `root`. */
function resolveInside(path: string, root: string): string {
  const real = realpathSync(path);
  if (!within(real, root)) throw new SubPathError(`subpath ${path} resolves to ${real}, outside the volume ${root}`);
  return real;
}

/** SafeMakeDir: makes the missing directories of `sub` under `root` with `mode`, never through a symlink out of it. */
function safeMakeDir(root: string, sub: string, mode: number): void {
  let cur = root;
  for (const name of sub.split('/').filter((c) => c && c !== '.')) {
    let exists = true;
    try {
      lstatSync(join(cur, name));
    } catch {
      exists = false;
    }
    if (exists) {
      cur = resolveInside(join(cur, name), root);
      continue;
    }
    const fd = openVerified(cur, root, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      mkdirSync(`/proc/self/fd/${fd}/${name}`, { mode });
      chmodSync(`/proc/self/fd/${fd}/${name}`, mode);
    } finally {
      closeSync(fd);
    }
    cur = join(cur, name);
  }
}

function isMountPoint(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path);
}

export interface SubPathInput {
  /** The volume's directory on the host. */
  volumePath: string;
  /** The mount's subPath (or expanded subPathExpr). */
  subPath: string;
  /** Where the bind mount goes: <volume's subPathsDir>/<container>/<index>. */
  target: string;
}

/**
 * Returns the host path to give the runtime for a subPath mount (the bind-mounted target), or throws
 * SubPathError when the subPath is not a path inside the volume.
 */
export function prepareSafeSubPath(i: SubPathInput): string {
  if (i.subPath.startsWith('/')) throw new SubPathError(`subPath ${i.subPath} must not be an absolute path`);
  if (i.subPath.split('/').includes('..')) throw new SubPathError(`subPath ${i.subPath} must not contain '..'`);
  const root = realpathSync(i.volumePath);
  const wanted = join(root, i.subPath);
  let exists = true;
  try {
    statSync(wanted);
  } catch {
    exists = false;
  }
  if (!exists) safeMakeDir(root, i.subPath, statSync(root).mode & 0o7777);
  const real = resolveInside(wanted, root);
  const fd = openVerified(real, root, O_PATH);
  try {
    const isDir = fstatSync(fd).isDirectory();
    mkdirSync(dirname(i.target), { recursive: true, mode: 0o750 });
    if (isMountPoint(i.target)) execFileSync('umount', [i.target]);
    try {
      if (lstatSync(i.target).isDirectory() !== isDir) rmSync(i.target, { recursive: true });
    } catch { /* not there yet */ }
    if (isDir) mkdirSync(i.target, { recursive: true, mode: 0o750 });
    else writeFileSync(i.target, '', { mode: 0o640, flag: 'a' });
    execFileSync('mount', ['--no-canonicalize', '--bind', `/proc/${process.pid}/fd/${fd}`, i.target], { stdio: 'pipe' });
  } finally {
    closeSync(fd);
  }
  return i.target;
}
