/**
 * Shared connections to one upstream resolver, so a busy node does not open a socket per query:
 * one UDP socket, and one TCP connection carrying pipelined queries (RFC 7766), closed after
 * `idleMs` without queries (CoreDNS forward keeps its connections 10 s the same way). Each query is
 * sent under a fresh random ID that is unique among those in flight on the socket, and the answer's
 * ID is set back to the client's; answers from any other address or with an unknown ID are dropped
 * (spoofed or late).
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6, type Socket as TcpSocket } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

interface Pending {
  clientId: number;
  wire: Buffer;
  resolve(msg: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  /** TCP: sent again once when the connection closed before the answer (servers that answer one query per connection). */
  retried?: boolean;
}

/** In-flight queries keyed by the ID they were sent under. */
class PendingTable {
  readonly byId = new Map<number, Pending>();

  add(query: Buffer, timeoutMs: number, what: string, onTimeout: () => void, resolve: (m: Buffer) => void, reject: (e: Error) => void): Pending {
    let id: number;
    do id = randomInt(65_536); while (this.byId.has(id));
    const wire = Buffer.from(query);
    wire.writeUInt16BE(id, 0);
    const p: Pending = {
      clientId: query.readUInt16BE(0), wire, resolve, reject,
      timer: setTimeout(() => {
        this.byId.delete(id);
        onTimeout();
        reject(new Error(`upstream ${what} timed out`));
      }, timeoutMs),
    };
    this.byId.set(id, p);
    return p;
  }

  /** Resolves the query an answer belongs to; false when none does. */
  settle(msg: Buffer): boolean {
    if (msg.length < 12) return false;
    const p = this.byId.get(msg.readUInt16BE(0));
    if (!p) return false;
    this.byId.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    const out = Buffer.from(msg);
    out.writeUInt16BE(p.clientId, 0);
    p.resolve(out);
    return true;
  }

  failAll(err: Error, keep?: (p: Pending) => boolean): Pending[] {
    const kept: Pending[] = [];
    for (const [id, p] of this.byId) {
      if (keep?.(p)) {
        kept.push(p);
        continue;
      }
      this.byId.delete(id);
      clearTimeout(p.timer);
      p.reject(err);
    }
    return kept;
  }
}

export class UpstreamConn {
  private udp?: UdpSocket;
  private tcp?: TcpSocket;
  private tcpBuf = Buffer.alloc(0);
  private readonly udpPending = new PendingTable();
  private readonly tcpPending = new PendingTable();
  private idleTimer?: NodeJS.Timeout;
  /** Sockets opened so far (UDP and TCP), for tests and metrics. */
  socketsOpened = 0;

  constructor(readonly up: Upstream, private readonly timeoutMs: number, private readonly idleMs = 10_000) {}

  get name(): string {
    return `${this.up.host}:${this.up.port}`;
  }

  exchange(query: Buffer, tcp: boolean): Promise<Buffer> {
    return tcp ? this.viaTcp(query) : this.viaUdp(query);
  }

  private viaUdp(query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = this.udpSocket();
      const p = this.udpPending.add(query, this.timeoutMs, this.name, () => this.touch(), resolve, reject);
      sock.send(p.wire, this.up.port, this.up.host, (err) => {
        if (err) this.udpPending.failAll(err, (o) => o !== p);
      });
      this.touch();
    });
  }

  private udpSocket(): UdpSocket {
    if (this.udp) return this.udp;
    const sock = createSocket(isIPv6(this.up.host) ? 'udp6' : 'udp4');
    this.socketsOpened++;
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port !== this.up.port || rinfo.address.toLowerCase() !== this.up.host.toLowerCase()) return;
      this.udpPending.settle(msg);
    });
    sock.on('error', (err) => {
      if (this.udp === sock) this.udp = undefined;
      sock.close();
      this.udpPending.failAll(err);
    });
    this.udp = sock;
    return sock;
  }

  private viaTcp(query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const p = this.tcpPending.add(query, this.timeoutMs, this.name, () => this.touch(), resolve, reject);
      this.tcpSend(p);
      this.touch();
    });
  }

  private tcpSend(p: Pending): void {
    const conn = this.tcpConn();
    const len = Buffer.alloc(2);
    len.writeUInt16BE(p.wire.length);
    conn.write(Buffer.concat([len, p.wire]));
  }

  private tcpConn(): TcpSocket {
    if (this.tcp && !this.tcp.destroyed) return this.tcp;
    const conn = connect(this.up.port, this.up.host);
    this.socketsOpened++;
    this.tcp = conn;
    this.tcpBuf = Buffer.alloc(0);
    conn.setNoDelay(true);
    conn.on('data', (d: Buffer) => {
      this.tcpBuf = Buffer.concat([this.tcpBuf, d]);
      while (this.tcpBuf.length >= 2 && this.tcpBuf.length >= 2 + this.tcpBuf.readUInt16BE(0)) {
        const n = this.tcpBuf.readUInt16BE(0);
        this.tcpPending.settle(this.tcpBuf.subarray(2, 2 + n));
        this.tcpBuf = this.tcpBuf.subarray(2 + n);
      }
      this.touch();
    });
    const lost = (err: Error): void => {
      if (this.tcp !== conn) return;
      this.tcp = undefined;
      conn.destroy();
      // Queries not yet retried go again on a new connection; the rest fail (next upstream).
      const again = this.tcpPending.failAll(err, (p) => !p.retried);
      for (const p of again) {
        p.retried = true;
        this.tcpSend(p);
      }
    };
    conn.on('error', lost);
    conn.on('close', () => lost(new Error(`upstream ${this.name} closed the connection`)));
    return conn;
  }

  /** Closes the sockets once nothing has been in flight for idleMs. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.udpPending.byId.size === 0 && this.udp) {
        this.udp.close();
        this.udp = undefined;
      }
      if (this.tcpPending.byId.size === 0 && this.tcp) {
        const c = this.tcp;
        this.tcp = undefined;
        c.destroy();
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    const err = new Error(`upstream ${this.name}: forwarder stopped`);
    this.udpPending.failAll(err);
    this.tcpPending.failAll(err, () => false);
    this.udp?.close();
    this.udp = undefined;
    const c = this.tcp;
    this.tcp = undefined;
    c?.destroy();
  }
}
