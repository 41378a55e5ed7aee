/**
 * Streams a CRI log file as kubelet's /containerLogs does: the last `tailLines` lines (or all),
 * entries since a time, optionally prefixed with their timestamps, cut at `limitBytes`, and with
 * `follow` keeps reading what the runtime appends until the container stops running (then drains
 * what is left) or the reader goes away. A follow survives log rotation as the kubelet's does: once
 * the path names another file (renamed to `<log>.<time>` and reopened by the runtime), the rest of
 * the old file is sent and reading goes on from the start of the new one.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatEntry, parseCriLogLine, splitLines, tailStart, timestampMillis } from './cri-log.js';

export interface LogReadOptions {
  /** Last N lines only; undefined means the whole file. */
  tailLines?: number;
  timestamps: boolean;
  follow: boolean;
  /** Stop after writing this many bytes (the last entry is cut). */
  limitBytes?: number;
  /** Only entries at or after this time (ms since the epoch). */
  sinceMillis?: number;
}

export interface LogFollowDeps {
  /** Asked while following once the file stops growing: false ends the stream. */
  stillRunning(): Promise<boolean>;
  /** Ends the stream early (the client went away). */
  signal?: AbortSignal;
  /** Called once the file is open (before anything is written). */
  onOpen?(): void;
  /** How often to look for new data while following (default 100 ms). */
  pollMs?: number;
  /** How often to ask stillRunning while nothing new arrives (default 1000 ms). */
  runningCheckMs?: number;
}

/** Above this, the initial read of a tail starts this far from the end (long logs are rotated anyway). */
const MAX_INITIAL_READ = 64 * 1024 * 1024;

class LimitReached extends Error {}

export async function streamLogFile(path: string, opts: LogReadOptions, out: Writable, deps: LogFollowDeps): Promise<void> {
  let fh = await open(path, 'r');
  deps.onOpen?.();
  let written = 0;
  const write = async (chunk: Buffer): Promise<void> => {
    if (opts.limitBytes !== undefined && written + chunk.length >= opts.limitBytes) {
      const part = chunk.subarray(0, opts.limitBytes - written);
      written += part.length;
      if (part.length > 0) out.write(part);
      throw new LimitReached();
    }
    written += chunk.length;
    if (!out.write(chunk)) await drained(out, deps.signal);
  };
  const emit = async (lines: Buffer[]): Promise<void> => {
    for (const line of lines) {
      const e = parseCriLogLine(line);
      if (!e) continue;
      if (opts.sinceMillis !== undefined && timestampMillis(e.time) < opts.sinceMillis) continue;
      await write(formatEntry(e, opts.timestamps));
    }
  };
  try {
    const size = (await fh.stat()).size;
    const from = Math.max(0, size - MAX_INITIAL_READ);
    const initial = await readRange(fh, from, size);
    let offset = size;
    const start = tailStart(initial, opts.tailLines ?? -1);
    let { lines, rest } = splitLines(initial.subarray(start));
    await emit(lines);
    if (!opts.follow) {
      // A final line the runtime is still writing is shown as it is.
      if (rest.length > 0) await emit([rest]);
      return;
    }
    const pollMs = deps.pollMs ?? 100;
    const checkMs = deps.runningCheckMs ?? 1000;
    let idleSince = Date.now();
    let lastCheck = 0;
    while (!deps.signal?.aborted && !out.destroyed) {
      const now = (await fh.stat()).size;
      if (now < offset) offset = 0; // truncated or replaced: start over
      if (now > offset) {
        const chunk = await readRange(fh, offset, now);
        offset = now;
        ({ lines, rest } = splitLines(Buffer.concat([rest, chunk])));
        await emit(lines);
        idleSince = Date.now();
        continue;
      }
      const next = await reopenIfRotated(path, fh);
      if (next) {
        fh = next;
        offset = 0;
        continue;
      }
      if (Date.now() - idleSince >= pollMs && Date.now() - lastCheck >= checkMs) {
        lastCheck = Date.now();
        if (!(await deps.stillRunning())) {
          // The container is gone: whatever was appended before it stopped is in the file now.
          const last = (await fh.stat()).size;
          if (last > offset) ({ lines, rest } = splitLines(Buffer.concat([rest, await readRange(fh, offset, last)])));
          else lines = [];
          await emit(rest.length > 0 ? [...lines, rest] : lines);
          return;
        }
      }
      await sleep(pollMs, deps.signal);
    }
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err;
  } finally {
    await fh.close();
  }
}

/** The file now at `path` when it is no longer the one `fh` reads (rotated); `fh` is then closed. */
async function reopenIfRotated(path: string, fh: FileHandle): Promise<FileHandle | undefined> {
  const current = await stat(path).catch(() => undefined);
  if (!current || current.ino === (await fh.stat()).ino) return undefined;
  const next = await open(path, 'r').catch(() => undefined);
  if (next) await fh.close();
  return next;
}

async function readRange(fh: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.alloc(to - from);
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function drained(out: Writable, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
