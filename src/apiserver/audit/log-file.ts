/**
 * The audit log backend: one JSON line per event, appended with a synchronous write (upstream's
 * default "blocking" mode: the event is on disk before the answer), rotated as kube-apiserver's
 * lumberjack logger does: past --audit-log-maxsize megabytes (0: 100) the file is renamed to
 * `<name>-<UTC time 2006-01-02T15-04-05.000><ext>` beside it and a new one started; backups past
 * --audit-log-maxbackup (0: all kept) or older than --audit-log-maxage days (0: no limit) are
 * removed. Path `-` writes to standard output (never rotated).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface AuditLogOptions {
  path: string;
  /** Rotate past this many bytes (the flag is megabytes; default 100 MiB, as lumberjack's). */
  maxSizeBytes?: number;
  /** Rotated files kept (0 or undefined: all). */
  maxBackups?: number;
  /** Days a rotated file is kept (0 or undefined: no limit). */
  maxAgeDays?: number;
}

const DAY_MS = 86_400_000;

/** lumberjack's backup time format: 2006-01-02T15-04-05.000 in UTC. */
function backupStamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

export class AuditLogFile {
  private fd: number;
  private size: number;
  private readonly maxSize: number;
  private readonly stdout: boolean;
  private closed = false;
  /** Events that could not be written. */
  failures = 0;

  constructor(private readonly o: AuditLogOptions) {
    this.stdout = o.path === '-';
    this.maxSize = o.maxSizeBytes && o.maxSizeBytes > 0 ? o.maxSizeBytes : 100 * 1024 * 1024;
    if (this.stdout) {
      this.fd = 1;
      this.size = 0;
      return;
    }
    mkdirSync(dirname(o.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(o.path, 'a', 0o600);
    this.size = statSync(o.path).size;
  }

  /**
   * Appends one line (a newline is added). After close() (a response ending while the server
   * stops) the line is dropped; a failed write (disk full) is counted and reported once, never
   * thrown into the request that caused it (upstream's log backend logs the error and goes on).
   */
  write(line: string): void {
    if (this.closed) return;
    const buf = Buffer.from(`${line}\n`, 'utf8');
    try {
      if (!this.stdout && this.size > 0 && this.size + buf.length > this.maxSize) this.rotate();
      writeSync(this.fd, buf);
      this.size += buf.length;
    } catch (err) {
      if (this.failures++ === 0) console.error(`bosun: cannot write the audit log ${this.o.path}:`, (err as Error).message);
    }
  }

  private rotate(): void {
    closeSync(this.fd);
    const ext = extname(this.o.path);
    const stem = basename(this.o.path, ext);
    // Two rotations in one millisecond must not overwrite the first backup.
    let t = Date.now();
    const target = () => join(dirname(this.o.path), `${stem}-${backupStamp(new Date(t))}${ext}`);
    while (existsSync(target())) t++;
    renameSync(this.o.path, target());
    this.fd = openSync(this.o.path, 'a', 0o600);
    this.size = 0;
    this.prune();
  }

  /** The rotated files, newest first. */
  backups(): string[] {
    const ext = extname(this.o.path);
    const stem = basename(this.o.path, ext);
    const re = new RegExp(`^${escape(stem)}-(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3})${escape(ext)}$`);
    return readdirSync(dirname(this.o.path)).filter((f) => re.test(f)).sort().reverse().map((f) => join(dirname(this.o.path), f));
  }

  private prune(): void {
    const now = Date.now();
    this.backups().forEach((f, i) => {
      const tooMany = (this.o.maxBackups ?? 0) > 0 && i >= this.o.maxBackups!;
      const tooOld = (this.o.maxAgeDays ?? 0) > 0 && now - statSync(f).mtimeMs > this.o.maxAgeDays! * DAY_MS;
      if (tooMany || tooOld) unlinkSync(f);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.stdout) closeSync(this.fd);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
