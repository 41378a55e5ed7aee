/**
 * Forwards raw DNS queries to upstream resolvers, in order, each with a timeout: UDP queries over
 * UDP, TCP queries over TCP (a truncated UDP answer is relayed as is; the client retries on TCP).
 * Sockets are shared per upstream (upstream-conn.ts). At most `maxConcurrent` queries are in flight
 * at once (150, as CoreDNS forward's max_concurrent); a query over that fails with
 * ConcurrencyLimitError, which the server answers REFUSED, as CoreDNS does.
 */
import { isIPv6 } from 'node:net';
import { UpstreamConn, type Upstream } from './upstream-conn.js';

export type { Upstream } from './upstream-conn.js';

/** CoreDNS forward's default max_concurrent. */
export const DEFAULT_MAX_CONCURRENT = 150;

export class ConcurrencyLimitError extends Error {
  constructor(limit: number) {
    super(`more than ${limit} queries in flight upstream`);
  }
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53` or `::1`. */
export function parseUpstream(text: string): Upstream {
  const bracket = /^\[(.+)\]:(\d+)$/.exec(text);
  if (bracket) return { host: bracket[1]!, port: Number(bracket[2]) };
  if (isIPv6(text)) return { host: text, port: 53 };
  const i = text.lastIndexOf(':');
  return i > 0 ? { host: text.slice(0, i), port: Number(text.slice(i + 1)) } : { host: text, port: 53 };
}

export class Forwarder {
  readonly upstreams: Upstream[];
  private readonly conns: UpstreamConn[];
  private inFlight = 0;
  /** Queries refused because maxConcurrent were in flight. */
  refused = 0;

  constructor(upstreams: readonly string[], timeoutMs = 2000, private readonly maxConcurrent = DEFAULT_MAX_CONCURRENT) {
    this.upstreams = upstreams.map(parseUpstream);
    this.conns = this.upstreams.map((u) => new UpstreamConn(u, timeoutMs));
  }

  get concurrent(): number {
    return this.inFlight;
  }

  /** Sockets opened to upstreams so far. */
  get socketsOpened(): number {
    return this.conns.reduce((n, c) => n + c.socketsOpened, 0);
  }

  /** The first upstream answer; throws when every upstream failed, none is configured, or too many are in flight. */
  async forward(query: Buffer, tcp: boolean): Promise<Buffer> {
    if (this.conns.length === 0) throw new Error('no upstream resolvers configured');
    if (this.inFlight >= this.maxConcurrent) {
      this.refused++;
      throw new ConcurrencyLimitError(this.maxConcurrent);
    }
    this.inFlight++;
    try {
      let last: unknown;
      for (const c of this.conns) {
        try {
          return await c.exchange(query, tcp);
        } catch (err) {
          last = err;
        }
      }
      throw last;
    } finally {
      this.inFlight--;
    }
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}
