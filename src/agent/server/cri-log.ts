/**
 * The CRI container log format (kubernetes/cri-api, "CRI logging"): one line per write of the
 * runtime's log pipe, `<RFC3339Nano time> <stdout|stderr> <tags> <message>\n`, where the tags are
 * `F` (full: the message ended a line) or `P` (partial: the line continues in the next entry), possibly
 * followed by more `:`-separated tags. The runtime strips the message's own newline; readers add it
 * back after an `F` entry. Pure functions: parsing and kubelet's output formatting.
 */

export type LogStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  /** The timestamp exactly as the runtime wrote it. */
  time: string;
  stream: LogStream;
  /** False for `P` entries: the message continues in the next entry. */
  full: boolean;
  message: Buffer;
}

const SPACE = 0x20;

/**
 * Parses one line (without its trailing newline). Returns undefined for a line that is not in the CRI
 * format (kubelet skips those with an error log; they should not happen).
 */
export function parseCriLogLine(line: Buffer): CriLogEntry | undefined {
  const a = line.indexOf(SPACE);
  if (a <= 0) return undefined;
  const b = line.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const stream = line.subarray(a + 1, b).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // Tags end at the next space; an entry with an empty message may end right after the tags.
  let c = line.indexOf(SPACE, b + 1);
  if (c < 0) c = line.length;
  const tags = line.subarray(b + 1, c).toString('latin1').split(':');
  if (tags[0] !== 'F' && tags[0] !== 'P') return undefined;
  return {
    time: line.subarray(0, a).toString('latin1'),
    stream,
    full: tags[0] === 'F',
    message: line.subarray(Math.min(c + 1, line.length)),
  };
}

/**
 * kubelet prints timestamps as RFC3339 with exactly nine fractional digits
 * ("2006-01-02T15:04:05.000000000Z07:00", RFC3339NanoFixed) whatever the runtime wrote; runtimes
 * write Go's RFC3339Nano, which drops trailing zeros.
 */
export function fixedNanoTimestamp(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}`;
}

/** Milliseconds since the epoch of a CRI timestamp (sub-millisecond digits dropped); NaN if invalid. */
export function timestampMillis(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
}

/** What kubelet writes for one entry: the message, its newline back for `F`, the time first if asked. */
export function formatEntry(e: CriLogEntry, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${fixedNanoTimestamp(e.time)} `));
  parts.push(e.message);
  if (e.full) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/**
 * Byte offset in `data` where its last `n` lines start (kubelet's tail: it counts the file's lines,
 * so a long line split into `P` entries counts once per entry). A final line without its newline
 * yet counts as a line. `n` < 0 means everything.
 */
export function tailStart(data: Buffer, n: number): number {
  if (n < 0) return 0;
  if (n === 0) return data.length;
  let end = data.length;
  if (end > 0 && data[end - 1] === 0x0a) end -= 1;
  let count = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (data[i] === 0x0a) {
      count += 1;
      if (count === n) return i + 1;
    }
  }
  return 0;
}

/** Splits complete lines off the front of `buf`; returns them and the incomplete rest. */
export function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    lines.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return { lines, rest: buf.subarray(start) };
}
