import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { utcISOString } from '../../controller-runtime/utc-time.js';

/**
 * kubelet's AtomicWriter: a volume's files live in a timestamped directory `..<ts>`; `..data` is a
 * symlink to it and each user-visible top-level entry is a symlink through `..data`. An update
 * writes a new directory and swaps `..data` with one rename, so a reader never sees a mix of old and
 * new files (and inotify watchers on `..data` see one event).
 */

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

function unchanged(dir: string, files: FileProjection[]): boolean {
  const cur = currentFiles(dir);
  if (!cur || cur.size !== files.length) return false;
  return files.every((f) => {
    const c = cur.get(f.path);
    return c && c.mode === (f.mode & 0o777) && c.data.equals(f.data);
  });
}

/** Writes `files` into `dir` atomically; returns false when nothing changed. */
export function writeAtomic(dir: string, files: FileProjection[]): boolean {
  mkdirSync(dir, { recursive: true });
  if (unchanged(dir, files)) return false;
  const ts = `..${utcISOString(Date.now()).replace(/[-:]/g, '_').replace(/\./g, '_')}.${process.hrtime.bigint().toString(36)}`;
  const tsDir = join(dir, ts);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const f of files) {
    const p = join(tsDir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    chmodSync(p, f.mode & 0o777);
  }
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
