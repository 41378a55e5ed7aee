import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { utcISOString } from '../../controller-runtime/utc-time.js';
import { setVolumeOwnership } from './volume-ownership.js';

/**
 * kubelet's AtomicWriter: a volume's files live in a timestamped directory `..<ts>`; `..data` is a
 * symlink to it and each user-visible top-level entry is a symlink through `..data`. An update
 * writes a new directory and swaps `..data` with one rename, so a reader never sees a mix of old and
 * new files (and inotify watchers on `..data` see one event).
 *
 * Paths come from users (configMap/secret/downwardAPI/projected items): the API refuses absolute
 * ones and `..` elements, and the writer refuses them again (upstream's validatePath), so a
 * payload can never name a file outside `dir` nor replace `dir` itself, whoever wrote the pod.
 */

export class InvalidPathError extends Error {
  override readonly name = 'InvalidPathError';
}

const MAX_PATH = 4096;
const MAX_NAME = 255;

/** atomic_writer.go validatePath: non-empty, relative, no `..` element, not starting with `..`, name and length limits. */
export function validatePath(p: string): void {
  if (p === '') throw new InvalidPathError(`invalid path: must not be empty: ${JSON.stringify(p)}`);
  if (p.startsWith('/')) throw new InvalidPathError(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH) throw new InvalidPathError(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new InvalidPathError(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_NAME) throw new InvalidPathError(`invalid path: filenames must be less than or equal to ${MAX_NAME} characters`);
    if (item.includes('\0')) throw new InvalidPathError(`invalid path: must not contain NUL: ${JSON.stringify(p)}`);
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) throw new InvalidPathError(`invalid path: must not start with '..': ${p}`);
}

/** validatePayload: every path valid, cleaned (`a//b/./c` is `a/b/c`); no path twice, none both a file and a directory. */
function cleanPayload(files: FileProjection[]): FileProjection[] {
  const out = files.map((f) => {
    validatePath(f.path);
    const path = posix.normalize(f.path).replace(/\/$/, '');
    if (path === '.' || path === '') throw new InvalidPathError(`invalid path: must name a file: ${JSON.stringify(f.path)}`);
    return { ...f, path };
  });
  const paths = new Set(out.map((f) => f.path));
  if (paths.size !== out.length) throw new InvalidPathError('invalid payload: a path is given twice');
  for (const f of out) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dirPath = parts.slice(0, i).join('/');
      if (paths.has(dirPath)) throw new InvalidPathError(`invalid payload: ${dirPath} is both a file and the directory of ${f.path}`);
    }
  }
  return out;
}

export interface FileProjection {
  /** Relative path, e.g. "app.conf" or "sub/dir/key". */
  path: string;
  data: Buffer;
  mode: number;
}

function currentFiles(dir: string): Map<string, { data: Buffer; mode: number }> | undefined {
  const dataLink = join(dir, '..data');
  if (!existsSync(dataLink)) return undefined;
  const out = new Map<string, { data: Buffer; mode: number }>();
  const walk = (base: string, rel: string) => {
    for (const e of readdirSync(base, { withFileTypes: true })) {
      const p = join(base, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else out.set(r, { data: readFileSync(p), mode: lstatSync(p).mode & 0o777 });
    }
  };
  walk(dataLink, '');
  return out;
}

/** The mode a file ends with: its own, plus group read when an fsGroup is applied (read-only volume mask). */
const effectiveMode = (mode: number, fsGroup: number | undefined) => (mode & 0o777) | (fsGroup === undefined ? 0 : 0o440);

function unchanged(dir: string, files: FileProjection[], fsGroup: number | undefined): boolean {
  const cur = currentFiles(dir);
  if (!cur || cur.size !== files.length) return false;
  return files.every((f) => {
    const c = cur.get(f.path);
    return c && c.mode === effectiveMode(f.mode, fsGroup) && c.data.equals(f.data);
  });
}

export interface WriteOptions {
  /** The pod's fsGroup: the whole volume gets this group (read-only volume ownership, as upstream's setPerms). */
  fsGroup?: number;
}

/**
 * Writes `files` into `dir` atomically; returns false when nothing changed. Throws InvalidPathError,
 * before touching anything, when a path is absolute, has a `..` element or collides with another.
 */
export function writeAtomic(dir: string, payload: FileProjection[], o: WriteOptions = {}): boolean {
  const files = cleanPayload(payload);
  mkdirSync(dir, { recursive: true });
  if (unchanged(dir, files, o.fsGroup)) return false;
  const ts = `..${utcISOString(Date.now()).replace(/[-:]/g, '_').replace(/\./g, '_')}.${process.hrtime.bigint().toString(36)}`;
  const tsDir = join(dir, ts);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const f of files) {
    const p = join(tsDir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    chmodSync(p, f.mode & 0o777);
  }
  // upstream's setPerms runs here, on the whole volume and not only the new payload directory.
  if (o.fsGroup !== undefined) setVolumeOwnership(dir, o.fsGroup, true);
  const dataLink = join(dir, '..data');
  const old = existsSync(dataLink) ? readlinkSync(dataLink) : undefined;
  const tmpLink = join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(ts, tmpLink);
  renameSync(tmpLink, dataLink);
  // Top-level user-visible links; stale ones go.
  const tops = new Set(files.map((f) => f.path.split('/')[0]!));
  for (const top of tops) {
    const link = join(dir, top);
    let ok = false;
    try {
      ok = readlinkSync(link) === join('..data', top);
    } catch {
      /* missing */
    }
    if (!ok) {
      rmSync(link, { force: true, recursive: true });
      symlinkSync(join('..data', top), link);
    }
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..') || tops.has(e)) continue;
    rmSync(join(dir, e), { force: true, recursive: true });
  }
  if (old && old !== ts) rmSync(join(dir, old), { recursive: true, force: true });
  return true;
}
