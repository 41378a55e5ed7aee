/**
 * The cluster DNS server: UDP and TCP on one address and port, packets encoded and decoded with
 * dns-packet. Names in the cluster zone are answered authoritatively from the ZoneResolver (an
 * ExternalName's target is chased for A and AAAA queries, in the zone or upstream, as CoreDNS
 * does), and PTR questions for the cluster's Service and endpoint addresses from
 * reverse-records.ts; other names are forwarded to the upstream resolvers. UDP answers larger than the client's buffer (512 bytes, or
 * its EDNS size) come back truncated so the client retries over TCP.
 *
 * Not an open resolver: a client the ACL does not allow (default: loopback only), or one over its
 * rate limit, is answered REFUSED before anything is looked up or forwarded; upstream concurrency is
 * capped by the Forwarder (REFUSED above it, as CoreDNS forward's max_concurrent).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { ClientAcl, loopbackOnly } from './client-acl.js';
import { measured } from './dns-metrics.js';
import { ConcurrencyLimitError, Forwarder } from './forwarder.js';
import { ClientRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { DEFAULT_TTL, DEFAULT_ZONE, inZone, ZoneResolver, type DnsView } from './records.js';
import { reverseAnswers } from './reverse-records.js';

/** CNAME steps followed inside the zone (ExternalName -> ExternalName -> ...). */
const MAX_CHASE = 8;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsServerOptions {
  view: DnsView;
  /** Listen address (default 127.0.0.1) and port (default 53; 0 picks a free one). */
  host?: string;
  port?: number;
  zone?: string;
  ttl?: number;
  /** Upstream resolvers (`ip` or `ip:port`); default: none (everything outside the zone SERVFAILs). */
  upstreams?: string[];
  upstreamTimeoutMs?: number;
  /** Queries in flight upstream at once (default 150, as CoreDNS forward's max_concurrent). */
  maxConcurrent?: number;
  /** Who may ask (default: loopback only). */
  clients?: ClientAcl;
  /** Per-client token bucket (default 100/s, burst 200). */
  rateLimit?: RateLimitOptions;
  onError?: (err: unknown) => void;
}

/** Counters for tests and diagnostics. */
export interface DnsStats {
  /** Queries from clients the ACL does not allow (answered REFUSED). */
  refusedClients: number;
  /** Queries over the client's rate limit (answered REFUSED). */
  rateLimited: number;
  /** Queries over the upstream concurrency cap (answered REFUSED). */
  upstreamRefused: number;
  upstreamInFlight: number;
  upstreamSocketsOpened: number;
}

export interface DnsServer {
  host: string;
  port: number;
  stats(): DnsStats;
  stop(): Promise<void>;
}

export class DnsHandler {
  private readonly resolver: ZoneResolver;
  private readonly forwarder: Forwarder;
  private readonly acl: ClientAcl;
  private readonly limiter: ClientRateLimiter;
  private refusedClients = 0;
  private rateLimited = 0;

  constructor(private readonly o: DnsServerOptions) {
    this.resolver = new ZoneResolver(o.view, o.zone ?? DEFAULT_ZONE, o.ttl);
    this.forwarder = new Forwarder(o.upstreams ?? [], o.upstreamTimeoutMs, o.maxConcurrent);
    this.acl = o.clients ?? loopbackOnly();
    this.limiter = new ClientRateLimiter(o.rateLimit);
  }

  stats(): DnsStats {
    return {
      refusedClients: this.refusedClients, rateLimited: this.rateLimited, upstreamRefused: this.forwarder.refused,
      upstreamInFlight: this.forwarder.concurrent, upstreamSocketsOpened: this.forwarder.socketsOpened,
    };
  }

  close(): void {
    this.forwarder.close();
  }

  /** One query in from `client` (its source address), one response out (undefined: not even an id to answer to). */
  handle(raw: Buffer, tcp: boolean, client = '127.0.0.1'): Promise<Buffer | undefined> {
    return measured(`dns://:${this.o.port ?? 53}`, raw, tcp, () => this.answer(raw, tcp, client));
  }

  private async answer(raw: Buffer, tcp: boolean, client: string): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      // Garbage from a client that may not ask at all gets nothing back.
      if (raw.length < 12 || !this.acl.allows(client)) return undefined;
      return dnsPacket.encode({ type: 'response', id: raw.readUInt16BE(0), flags: RCODE.FORMERR, questions: [] });
    }
    const q = query.questions?.[0];
    const flags = query.flags ?? 0;
    const rd = flags & dnsPacket.RECURSION_DESIRED;
    const reply = (rcode: number, extra: Partial<Packet> = {}, aa = false): Buffer =>
      this.encode(query, { type: 'response', id: query.id, flags: rcode | rd | dnsPacket.RECURSION_AVAILABLE | (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0), questions: query.questions, ...extra }, tcp);
    if (!this.acl.allows(client)) {
      this.refusedClients++;
      return reply(RCODE.REFUSED);
    }
    if (!this.limiter.take(client)) {
      this.rateLimited++;
      return reply(RCODE.REFUSED);
    }
    if (((flags >> 11) & 0xf) !== 0) return reply(RCODE.NOTIMP); // only standard queries
    if (!q) return reply(RCODE.FORMERR);
    // The reverse zone for the cluster's addresses (CoreDNS's kubernetes plugin with fallthrough).
    const { servicesByIP, endpointSlicesByIP } = this.o.view;
    if (q.type === 'PTR' && servicesByIP && endpointSlicesByIP) {
      const answers = reverseAnswers({ servicesByIP, endpointSlicesByIP }, q.name, this.resolver.zone, this.o.ttl ?? DEFAULT_TTL);
      if (answers.length > 0) return reply(RCODE.NOERROR, { answers }, true);
    }
    if (!inZone(q.name, this.resolver.zone)) {
      try {
        return await this.forwarder.forward(raw, tcp);
      } catch (err) {
        if (err instanceof ConcurrencyLimitError) return reply(RCODE.REFUSED);
        this.o.onError?.(err);
        return reply(RCODE.SERVFAIL);
      }
    }
    const ans = this.resolver.resolve(q.name, q.type);
    const answers: Answer[] = [...ans.answers];
    if (ans.chase) answers.push(...(await this.chase(ans.chase.name, ans.chase.type, tcp)));
    return reply(RCODE[ans.rcode], { answers, authorities: ans.authorities, additionals: ans.additionals }, true);
  }

  /**
   * The A or AAAA records of a CNAME target: from the zone itself when it is in the zone (as
   * CoreDNS does for an ExternalName naming another Service; chains are followed a few steps, so
   * loops end), else from upstream (empty on failure).
   */
  private async chase(name: string, type: 'A' | 'AAAA', tcp: boolean, depth = 0): Promise<Answer[]> {
    if (inZone(name, this.resolver.zone)) {
      if (depth >= MAX_CHASE) return [];
      const r = this.resolver.resolve(name, type);
      return [...r.answers, ...(r.chase ? await this.chase(r.chase.name, type, tcp, depth + 1) : [])];
    }
    if (this.forwarder.upstreams.length === 0) return [];
    try {
      const q = dnsPacket.encode({ type: 'query', id: Math.floor(Math.random() * 65536), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
      const res = dnsPacket.decode(await this.forwarder.forward(q, tcp));
      return (res.answers ?? []).filter((a) => a.type === type || a.type === 'CNAME');
    } catch (err) {
      this.o.onError?.(err);
      return [];
    }
  }

  private encode(query: DecodedPacket, res: Packet, tcp: boolean): Buffer {
    const buf = dnsPacket.encode(res);
    if (tcp) return buf;
    const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const max = Math.max(512, opt?.udpPayloadSize ?? 512);
    if (buf.length <= max) return buf;
    return dnsPacket.encode({ ...res, flags: (res.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: [] });
  }
}

function listenUdp(host: string, port: number, onMessage: (sock: Socket, msg: Buffer, rinfo: { address: string; port: number }) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', reject);
    sock.on('message', (msg, rinfo) => onMessage(sock, msg, rinfo));
    sock.bind(port, host, () => {
      sock.off('error', reject);
      sock.on('error', () => undefined);
      resolve(sock);
    });
  });
}

function listenTcp(host: string, port: number, handler: DnsHandler, onError?: (err: unknown) => void): Promise<{ close(): Promise<void> }> {
  const conns = new Set<TcpSocket>();
  const server = createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    let buf = Buffer.alloc(0);
    conn.on('error', () => undefined);
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void handler.handle(Buffer.from(msg), true, conn.remoteAddress ?? '').then((res) => {
          if (!res || conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          conn.write(Buffer.concat([len, res]));
        }, onError);
      }
    });
  });
  // Closing also ends open client connections, so stop() does not wait for idle clients.
  const close = (): Promise<void> => new Promise((r) => {
    server.close(() => r());
    for (const c of conns) c.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ close });
    });
  });
}

/** Start answering on UDP and TCP. With port 0 both share one free port (retrying if TCP's is taken). */
export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const host = o.host ?? '127.0.0.1';
  const handler = new DnsHandler(o);
  const onMessage = (sock: Socket, msg: Buffer, rinfo: { address: string; port: number }): void => {
    void handler.handle(msg, false, rinfo.address).then((res) => {
      if (res) sock.send(res, rinfo.port, rinfo.address);
    }, o.onError);
  };
  for (let attempt = 0; ; attempt++) {
    const udp = await listenUdp(host, o.port ?? 53, onMessage);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(host, port, handler, o.onError);
      return {
        host, port,
        stats: () => handler.stats(),
        stop: async () => {
          await new Promise<void>((r) => udp.close(() => r()));
          await tcp.close();
          handler.close();
        },
      };
    } catch (err) {
      udp.close();
      if ((o.port ?? 53) !== 0 || attempt >= 10) throw err;
    }
  }
}
