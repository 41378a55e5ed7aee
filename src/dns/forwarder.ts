/**
 * Forwards raw DNS queries to upstream resolvers, in order, each with a timeout: UDP queries over
 * UDP, TCP queries over TCP (a truncated UDP answer is relayed as is; the client retries on TCP).
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53` or `::1`. */
export function parseUpstream(text: string): Upstream {
  const bracket = /^\[(.+)\]:(\d+)$/.exec(text);
  if (bracket) return { host: bracket[1]!, port: Number(bracket[2]) };
  if (isIPv6(text)) return { host: text, port: 53 };
  const i = text.lastIndexOf(':');
  return i > 0 ? { host: text.slice(0, i), port: Number(text.slice(i + 1)) } : { host: text, port: 53 };
}

function udpExchange(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const done = (err?: Error, msg?: Buffer): void => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`upstream ${up.host}:${up.port} timed out`)), timeoutMs);
    sock.on('error', (err) => done(err));
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(undefined, msg);
    });
    sock.send(query, up.port, up.host);
  });
}

function tcpExchange(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect(up.port, up.host);
    let buf = Buffer.alloc(0);
    const done = (err?: Error, msg?: Buffer): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`upstream ${up.host}:${up.port} timed out`)), timeoutMs);
    sock.on('error', (err) => done(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(new Error(`upstream ${up.host}:${up.port} closed the connection`)));
  });
}

export class Forwarder {
  readonly upstreams: Upstream[];

  constructor(upstreams: readonly string[], private readonly timeoutMs = 2000) {
    this.upstreams = upstreams.map(parseUpstream);
  }

  /** The first upstream answer; throws when every upstream failed or none is configured. */
  async forward(query: Buffer, tcp: boolean): Promise<Buffer> {
    let last: unknown = new Error('no upstream resolvers configured');
    for (const up of this.upstreams) {
      try {
        return await (tcp ? tcpExchange(up, query, this.timeoutMs) : udpExchange(up, query, this.timeoutMs));
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }
}
