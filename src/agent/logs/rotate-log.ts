/**
 * One container log's rotation, as the kubelet's pkg/kubelet/logs/container_log_manager.go
 * rotateLog: drop leftover temporary files and uncompressed copies of compressed ones, remove the
 * oldest rotated files so that at most maxFiles - 2 remain (the live log and the one about to be
 * rotated make maxFiles), gzip the rotated files not yet compressed, then rename the live log to
 * `<log>.<YYYYMMDD-hhmmss>` and ask the runtime to reopen it (renamed back if that fails, so the
 * next pass retries). Readers of the live log keep reading the renamed file until they reopen it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const COMPRESS_SUFFIX = '.gz';
const TMP_SUFFIX = '.tmp';

/** The kubelet's timestampFormat "20060102-150405", in UTC. */
export function rotationTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Rotated files of `log` (`<log>.*`), oldest first (their timestamps sort as strings). */
async function rotatedFiles(log: string): Promise<string[]> {
  const base = `${basename(log)}.`;
  const names = await readdir(dirname(log));
  return names.filter((n) => n.startsWith(base)).sort().map((n) => join(dirname(log), n));
}

/** Removes `.tmp` leftovers and uncompressed files whose `.gz` exists (upstream cleanupUnusedLogs). */
async function cleanupUnused(logs: string[]): Promise<string[]> {
  const set = new Set(logs);
  const keep: string[] = [];
  for (const l of logs) {
    if (l.endsWith(TMP_SUFFIX) || (!l.endsWith(COMPRESS_SUFFIX) && set.has(l + COMPRESS_SUFFIX))) await rm(l, { force: true });
    else keep.push(l);
  }
  return keep;
}

async function compress(file: string): Promise<void> {
  // zlib is loaded on the first rotation only: most agents never rotate a log (idle memory).
  const { createGzip } = await import('node:zlib');
  const tmp = `${file}${COMPRESS_SUFFIX}${TMP_SUFFIX}`;
  await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp, { mode: 0o640 }));
  await rename(tmp, file + COMPRESS_SUFFIX);
  await rm(file, { force: true });
}

export interface RotateOptions {
  maxFiles: number;
  /** Asks the runtime to reopen the container's log (CRI ReopenContainerLog). */
  reopen(): Promise<void>;
  now?: Date;
}

/** Rotates `log` now (the caller checked its size). Returns the rotated file's name, or undefined when that name was taken this second. */
export async function rotateLog(log: string, o: RotateOptions): Promise<string | undefined> {
  let logs = await cleanupUnused(await rotatedFiles(log));
  const maxRotated = Math.max(0, o.maxFiles - 2);
  for (const old of logs.slice(0, Math.max(0, logs.length - maxRotated))) await rm(old, { force: true });
  logs = logs.slice(Math.max(0, logs.length - maxRotated));
  for (const l of logs) if (!l.endsWith(COMPRESS_SUFFIX)) await compress(l);
  const rotated = `${log}.${rotationTimestamp(o.now ?? new Date())}`;
  // Two rotations in one second would overwrite the first: wait for the next pass instead.
  if (logs.some((l) => l === rotated || l === rotated + COMPRESS_SUFFIX)) return undefined;
  await rename(log, rotated);
  try {
    await o.reopen();
  } catch (err) {
    await rename(rotated, log).catch(() => undefined);
    throw err;
  }
  return rotated;
}
