/**
 * The cluster DNS is not an open resolver (issue 13, finding 6): clients outside the cluster's pod
 * CIDRs, node addresses and loopback get REFUSED (as CoreDNS's acl plugin answers); each client is
 * rate-limited by a token bucket (REFUSED above it, as the coredns/ratelimit plugin); at most
 * `maxConcurrent` queries are in flight upstream (150 and REFUSED above it, as CoreDNS forward's
 * max_concurrent); upstream sockets are shared by all queries instead of one per query.
 *
 * The ACL case queries from network namespaces this test makes (one address inside the allowed
 * range, one outside), so the server sees real foreign source addresses.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Socket as TcpSocket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { createTestHosts, type TestHosts } from '../testing/test-hosts.js';
import { eventually } from '../testing/eventually.js';
import type { DnsView } from './records.js';
import { ClientAcl } from './client-acl.js';
import { startDnsServer, type DnsServer } from './server.js';

const view: DnsView = { service: () => undefined, endpointSlices: () => [] };
const KUBERNETES = 'kubernetes.default.svc.cluster.local';
const SVC = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.43.0.1' } };
const viewWithApi: DnsView = { service: (ns, name) => (ns === 'default' && name === 'kubernetes' ? SVC : undefined), endpointSlices: () => [] };

const rcodeOf = (msg: Buffer): string => (dnsPacket.decode(msg) as { rcode?: string }).rcode ?? '';

function encodeQuery(name: string, id = Math.floor(Math.random() * 65536)): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
}

/** One UDP query from a chosen local address (127.0.0.x are all this machine's). */
function udpQuery(port: number, name: string, from = '127.0.0.1', host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${name} from ${from}`));
    }, 8000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.bind(0, from, () => sock.send(encodeQuery(name), port, host));
  });
}

/** Runs in a test host's namespace: one query over UDP or TCP, prints the answer's rcode number. */
const NS_CLIENT = `
const [mode, hex, host, port] = process.argv.slice(1);
const q = Buffer.from(hex, 'hex');
const done = (m) => { console.log(m[3] & 15); process.exit(0); };
setTimeout(() => { console.log('timeout'); process.exit(1); }, 5000);
if (mode === 'udp') {
  const s = require('node:dgram').createSocket('udp4');
  s.on('message', done);
  s.send(q, Number(port), host);
} else {
  const c = require('node:net').connect(Number(port), host, () => c.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q])));
  let b = Buffer.alloc(0);
  c.on('data', (d) => { b = Buffer.concat([b, d]); if (b.length >= 2 + b.readUInt16BE(0)) done(b.subarray(2)); });
}`;

describe('dns abuse: who may ask', () => {
  let hosts: TestHosts;
  let dns: DnsServer;
  before(async () => {
    hosts = await createTestHosts({ hosts: ['pod', 'outside'] });
    // The "pod network" is the pod host's address alone; the outside host is on the same wire.
    const acl = new ClientAcl({ podCidrs: [`${hosts.host('pod').ip}/32`] });
    dns = await startDnsServer({ view: viewWithApi, host: hosts.gateway, port: 0, clients: acl });
  });
  after(async () => {
    await dns?.stop();
    await hosts?.teardown();
  });

  const ask = async (host: string, mode: 'udp' | 'tcp'): Promise<string> => {
    const r = await hosts.runInHost(host, ['node', '-e', NS_CLIENT, mode, encodeQuery(KUBERNETES).toString('hex'), hosts.gateway, String(dns.port)]);
    return r.stdout.trim();
  };

  it('answers clients in the pod network and REFUSES (rcode 5) everyone else, over UDP and TCP', async () => {
    for (const mode of ['udp', 'tcp'] as const) {
      assert.equal(await ask('pod', mode), '0', `${mode}: the pod network gets answers`);
      assert.equal(await ask('outside', mode), '5', `${mode}: an address outside the cluster is refused`);
    }
    assert.ok(dns.stats().refusedClients >= 2);
  });

  it('node addresses are allowed once the ACL learns them', async () => {
    const acl = new ClientAcl({ podCidrs: [] });
    const other = await startDnsServer({ view: viewWithApi, host: hosts.gateway, port: 0, clients: acl });
    try {
      const r = async (): Promise<string> => (await hosts.runInHost('outside', ['node', '-e', NS_CLIENT, 'udp', encodeQuery(KUBERNETES).toString('hex'), hosts.gateway, String(other.port)])).stdout.trim();
      assert.equal(await r(), '5');
      acl.setNodeAddresses([hosts.host('outside').ip]);
      assert.equal(await r(), '0');
    } finally {
      await other.stop();
    }
  });
});

describe('dns abuse: rate limit per client', () => {
  let dns: DnsServer;
  let now = 1_000_000;
  before(async () => {
    dns = await startDnsServer({ view: viewWithApi, port: 0, rateLimit: { perSecond: 5, burst: 5, now: () => now } });
  });
  after(async () => dns?.stop());

  it('answers a burst, then REFUSED above it; other clients unaffected; tokens come back with time', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) codes.push(rcodeOf(await udpQuery(dns.port, KUBERNETES)));
    assert.deepEqual(codes, [...Array(5).fill('NOERROR'), ...Array(7).fill('REFUSED')]);
    assert.equal(dns.stats().rateLimited, 7);
    assert.equal(rcodeOf(await udpQuery(dns.port, KUBERNETES, '127.0.0.2')), 'NOERROR', 'another client has its own bucket');
    now += 1000; // one second later: 5 more tokens
    const later: string[] = [];
    for (let i = 0; i < 6; i++) later.push(rcodeOf(await udpQuery(dns.port, KUBERNETES)));
    assert.deepEqual(later, [...Array(5).fill('NOERROR'), 'REFUSED']);
  });
});

/** An upstream that holds every query until released; counts queries, source ports and TCP connections. */
async function slowUpstream(): Promise<{ port: number; queries: number; sourcePorts: Set<number>; tcpConnections: number; release(): void; stop(): Promise<void> }> {
  const held: (() => void)[] = [];
  let released = false;
  const answer = (raw: Buffer): Buffer => {
    const q = dnsPacket.decode(raw);
    return dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 60, data: '192.0.2.7' }] });
  };
  const state = {
    port: 0, queries: 0, sourcePorts: new Set<number>(), tcpConnections: 0,
    release() {
      released = true;
      for (const h of held.splice(0)) h();
    },
    stop: async () => undefined as void,
  };
  const later = (fn: () => void): void => {
    if (released) fn();
    else held.push(fn);
  };
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    udp.on('message', (msg, rinfo) => {
      state.queries++;
      state.sourcePorts.add(rinfo.port);
      later(() => udp.send(answer(msg), rinfo.port, rinfo.address));
    });
    const conns = new Set<TcpSocket>();
    const tcp = createServer((conn) => {
      state.tcpConnections++;
      conns.add(conn);
      conn.on('close', () => conns.delete(conn));
      conn.on('error', () => undefined);
      let buf = Buffer.alloc(0);
      conn.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          state.queries++;
          later(() => {
            const res = answer(msg);
            if (!conn.destroyed) conn.write(Buffer.concat([Buffer.from([res.length >> 8, res.length & 255]), res]));
          });
        }
      });
    });
    try {
      await new Promise<void>((r, j) => tcp.once('error', j).listen(udp.address().port, '127.0.0.1', () => r()));
    } catch (err) {
      await new Promise<void>((r) => udp.close(() => r()));
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
      throw err;
    }
    state.port = udp.address().port;
    state.stop = async () => {
      await new Promise<void>((r) => udp.close(() => r()));
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    };
    return state;
  }
}

describe('dns abuse: upstream concurrency and sockets', () => {
  let dns: DnsServer;
  let up: Awaited<ReturnType<typeof slowUpstream>>;
  before(async () => {
    up = await slowUpstream();
    dns = await startDnsServer({ view, port: 0, upstreams: [`127.0.0.1:${up.port}`], upstreamTimeoutMs: 20_000, rateLimit: { perSecond: 10_000, burst: 10_000 } });
  });
  after(async () => {
    up?.release();
    await dns?.stop();
    await up?.stop();
  });

  it('holds at most 150 queries upstream, REFUSES the rest, and shares one UDP socket', async () => {
    const answers = Array.from({ length: 170 }, (_, i) => udpQuery(dns.port, `q${i}.example.test`).then(rcodeOf));
    // The 20 over the cap are answered at once, while the upstream still holds the other 150.
    await eventually(() => dns.stats().upstreamRefused === 20, '20 queries refused over the cap');
    await eventually(() => up.queries === 150, 'the upstream to hold 150 queries');
    assert.equal(dns.stats().upstreamInFlight, 150);
    assert.equal(up.sourcePorts.size, 1, 'every upstream query left from one socket');
    up.release();
    const codes = await Promise.all(answers);
    assert.equal(codes.filter((c) => c === 'NOERROR').length, 150);
    assert.equal(codes.filter((c) => c === 'REFUSED').length, 20);
    assert.equal(dns.stats().upstreamInFlight, 0);
  });

  it('reuses one TCP connection upstream for many TCP queries', async () => {
    const before = up.tcpConnections;
    const { queryDns } = await import('./client.js');
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => queryDns(dns.port, `t${i}.example.test`, 'A', true)));
    assert.ok(res.every((r) => (r as { rcode?: string }).rcode === 'NOERROR'));
    assert.equal(up.tcpConnections - before, 1);
  });
});
