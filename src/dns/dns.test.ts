/**
 * The DNS server on 127.0.0.1 (random port) with a static view of Services and EndpointSlices and a
 * fake upstream resolver, queried with a dns-packet client over UDP and TCP.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { DnsView } from './records.js';
import { parseResolvConf } from './resolv-conf.js';
import { queryDns } from './client.js';
import { startDnsServer, type DnsServer } from './server.js';

/** dns-packet's types omit the decoded `rcode` and the `data` of some answer types. */
type Reply = Omit<DecodedPacket, 'answers'> & { rcode?: string; answers?: { type: string; name: string; data?: unknown }[] };
const query = async (...args: Parameters<typeof queryDns>): Promise<Reply> => (await queryDns(...args)) as Reply;

const svc = (name: string, spec: NonNullable<Service['spec']>, ns = 'prod'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const slice = (service: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [], ns = 'prod'): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4', endpoints, ports,
});

const many = Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.42.3.${i + 1}`], conditions: { ready: true } }));
const SERVICES = [
  svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }] }),
  svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
  svc('big', { clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] }),
  svc('ext', { type: 'ExternalName', externalName: 'upstream.example.test' }),
  svc('alias', { type: 'ExternalName', externalName: 'web.prod.svc.cluster.local' }),
  svc('loop', { type: 'ExternalName', externalName: 'loop.prod.svc.cluster.local' }),
];
const SLICES = [
  slice('db', [
    { addresses: ['10.42.0.7'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.42.0.8'], conditions: { ready: true } },
    { addresses: ['10.42.0.9'], conditions: { ready: false } },
  ], [{ name: 'pg', port: 15432, protocol: 'TCP' }]),
  slice('big', many),
];
const view: DnsView = {
  service: (ns, name) => SERVICES.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
  endpointSlices: (ns, name) => SLICES.filter((s) => s.metadata.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === name),
  servicesByIP: (ip) => SERVICES.filter((s) => s.spec?.clusterIP === ip),
  endpointSlicesByIP: (ip) => SLICES.filter((s) => s.endpoints.some((e) => e.addresses.includes(ip))),
};

/** A fake upstream: answers A with 192.0.2.1 (AAAA questions: AAAA 2001:db8::1), over UDP and TCP; ignores `silent.test`. */
type FakeUpstream = Omit<DnsServer, 'stats'>;

async function fakeUpstream(): Promise<FakeUpstream> {
  const answer = (raw: Buffer): Buffer | undefined => {
    const q = dnsPacket.decode(raw);
    const name = q.questions?.[0]?.name ?? '';
    if (name.endsWith('silent.test')) return undefined;
    const answer = q.questions?.[0]?.type === 'AAAA' ? { type: 'AAAA' as const, name, ttl: 60, data: '2001:db8::1' } : { type: 'A' as const, name, ttl: 60, data: '192.0.2.1' };
    return dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [answer] });
  };
  // UDP on a free port, then TCP on the same one; another test may hold that TCP port: try again.
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    udp.on('message', (msg, rinfo) => {
      const res = answer(msg);
      if (res) udp.send(res, rinfo.port, rinfo.address);
    });
    const port = udp.address().port;
    const tcp = createServer((conn) => {
      conn.on('data', (d: Buffer) => {
        const res = answer(d.subarray(2, 2 + d.readUInt16BE(0)));
        if (res) conn.end(Buffer.concat([Buffer.from([res.length >> 8, res.length & 255]), res]));
      });
    });
    try {
      await new Promise<void>((r, j) => tcp.once('error', j).listen(port, '127.0.0.1', () => r()));
    } catch (err) {
      await new Promise<void>((r) => udp.close(() => r()));
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
      throw err;
    }
    return upstreamHandle(port, udp, tcp);
  }
}

function upstreamHandle(port: number, udp: ReturnType<typeof createSocket>, tcp: ReturnType<typeof createServer>): FakeUpstream {
  return {
    host: '127.0.0.1', port,
    stop: async () => {
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

describe('dns server', () => {
  let dns: DnsServer;
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await fakeUpstream();
    dns = await startDnsServer({ view, port: 0, upstreams: [`127.0.0.1:${upstream.port}`], upstreamTimeoutMs: 300 });
  });
  after(async () => {
    await dns?.stop();
    await upstream?.stop();
  });

  const ips = (p: Reply): string[] => (p.answers ?? []).filter((a) => a.type === 'A').map((a) => a.data as string).sort();

  it('answers a ClusterIP Service with its ClusterIP, authoritatively, over UDP and TCP', async () => {
    for (const tcp of [false, true]) {
      const res = await query(dns.port, 'web.prod.svc.cluster.local', 'A', tcp);
      assert.equal(res.rcode, 'NOERROR');
      assert.ok(res.flag_aa);
      assert.deepEqual(ips(res), ['10.43.0.10']);
    }
    assert.deepEqual(ips(await query(dns.port, 'WEB.Prod.svc.Cluster.Local', 'A')), ['10.43.0.10']);
  });

  it('answers a headless Service with every ready endpoint, and an endpoint by hostname', async () => {
    assert.deepEqual(ips(await query(dns.port, 'db.prod.svc.cluster.local', 'A')), ['10.42.0.7', '10.42.0.8']);
    assert.deepEqual(ips(await query(dns.port, 'db-0.db.prod.svc.cluster.local', 'A')), ['10.42.0.7']);
    assert.deepEqual(ips(await query(dns.port, '10-42-0-8.db.prod.svc.cluster.local', 'A')), ['10.42.0.8']);
  });

  it('answers PTR for a ClusterIP and for ready endpoints, and forwards other addresses (CoreDNS kubernetes reverse + fallthrough)', async () => {
    const ptrs = (p: Reply): string[] => (p.answers ?? []).filter((a) => a.type === 'PTR').map((a) => a.data as string);
    for (const tcp of [false, true]) {
      const res = await query(dns.port, '10.0.43.10.in-addr.arpa', 'PTR', tcp);
      assert.equal(res.rcode, 'NOERROR');
      assert.ok(res.flag_aa);
      assert.deepEqual(ptrs(res), ['web.prod.svc.cluster.local']);
    }
    assert.deepEqual(ptrs(await query(dns.port, '7.0.42.10.in-addr.arpa', 'PTR')), ['db-0.db.prod.svc.cluster.local']);
    assert.deepEqual(ptrs(await query(dns.port, '8.0.42.10.in-addr.arpa', 'PTR')), ['10-42-0-8.db.prod.svc.cluster.local']);
    // Not ready, or not the cluster's: the question goes upstream (the fake upstream answers an A record).
    for (const name of ['9.0.42.10.in-addr.arpa', '1.2.0.192.in-addr.arpa']) {
      const res = await query(dns.port, name, 'PTR');
      assert.deepEqual(ptrs(res), [], name);
      assert.ok(!res.flag_aa, name);
    }
  });

  it('serves SRV records for named ports', async () => {
    const res = await query(dns.port, '_http._tcp.web.prod.svc.cluster.local', 'SRV');
    assert.deepEqual(res.answers?.map((a) => a.data), [{ priority: 0, weight: 100, port: 80, target: 'web.prod.svc.cluster.local' }]);
    const headless = await query(dns.port, '_pg._tcp.db.prod.svc.cluster.local', 'SRV');
    assert.deepEqual(headless.answers?.map((a) => (a.data as { target: string; port: number })).map((d) => `${d.target}:${d.port}`).sort(),
      ['10-42-0-8.db.prod.svc.cluster.local:15432', 'db-0.db.prod.svc.cluster.local:15432']);
    assert.equal((await query(dns.port, '_nope._tcp.web.prod.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
  });

  it('answers ExternalName with a CNAME, chasing the target upstream', async () => {
    const res = await query(dns.port, 'ext.prod.svc.cluster.local', 'A');
    assert.equal(res.answers?.[0]?.type, 'CNAME');
    assert.equal(res.answers?.[0]?.data, 'upstream.example.test');
    assert.deepEqual(ips(res), ['192.0.2.1']);
  });

  it('answers AAAA at an ExternalName with the CNAME and the target\'s AAAA from upstream (CoreDNS plugin.AAAA)', async () => {
    const res = await query(dns.port, 'ext.prod.svc.cluster.local', 'AAAA');
    assert.deepEqual(res.answers?.map((a) => `${a.type} ${String(a.data)}`), ['CNAME upstream.example.test', 'AAAA 2001:db8::1']);
  });

  it('serves the schema version as TXT at dns-version.<zone> (spec 2.2)', async () => {
    const res = await query(dns.port, 'dns-version.cluster.local', 'TXT');
    assert.equal(res.rcode, 'NOERROR');
    assert.deepEqual(res.answers?.map((a) => `${a.type} ${(a.data as Buffer[]).join('')}`), ['TXT 1.1.0']);
  });

  it('answers an ExternalName naming another Service with the CNAME and that Service\'s address (CoreDNS); loops end', async () => {
    const res = await query(dns.port, 'alias.prod.svc.cluster.local', 'A');
    assert.deepEqual(res.answers?.map((a) => `${a.type} ${String(a.data)}`), ['CNAME web.prod.svc.cluster.local', 'A 10.43.0.10']);
    const loop = await query(dns.port, 'loop.prod.svc.cluster.local', 'A');
    assert.equal(loop.rcode, 'NOERROR');
    assert.ok((loop.answers?.length ?? 0) <= 9 && loop.answers?.every((a) => a.type === 'CNAME'));
  });

  it('NXDOMAIN for unknown names in the zone, NODATA for other types, pod names', async () => {
    const nx = await query(dns.port, 'nope.prod.svc.cluster.local', 'A');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    assert.equal((await query(dns.port, 'web.other.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
    assert.equal((await query(dns.port, 'web.prod.cluster.local', 'A')).rcode, 'NXDOMAIN');
    const aaaa = await query(dns.port, 'web.prod.svc.cluster.local', 'AAAA');
    assert.equal(aaaa.rcode, 'NOERROR');
    assert.equal(aaaa.answers?.length, 0);
    assert.deepEqual(ips(await query(dns.port, '10-42-1-9.prod.pod.cluster.local', 'A')), ['10.42.1.9']);
  });

  it('truncates a large UDP answer; TCP carries it whole', async () => {
    const udp = await query(dns.port, 'big.prod.svc.cluster.local', 'A');
    assert.ok(udp.flag_tc);
    assert.equal(udp.answers?.length, 0);
    const tcp = await query(dns.port, 'big.prod.svc.cluster.local', 'A', true);
    assert.equal(tcp.answers?.length, 60);
    // Endpoints in numeric address order (string order would put 10.42.3.10 before 10.42.3.2).
    assert.deepEqual(tcp.answers?.map((a) => a.data), many.map((e) => e.addresses[0]));
  });

  it('forwards other names upstream and SERVFAILs when upstream is silent', async () => {
    assert.deepEqual(ips(await query(dns.port, 'www.example.test', 'A')), ['192.0.2.1']);
    assert.deepEqual(ips(await query(dns.port, 'www.example.test', 'A', true)), ['192.0.2.1'], 'over TCP too');
    assert.equal((await query(dns.port, 'x.silent.test', 'A')).rcode, 'SERVFAIL');
  });
});

describe('resolv.conf', () => {
  it('parses nameservers, search and options', () => {
    const rc = parseResolvConf('# comment\nnameserver 10.0.0.2\nnameserver 1.1.1.1 ; x\nsearch a.example b.example\noptions ndots:5 timeout:1\n');
    assert.deepEqual(rc, { nameservers: ['10.0.0.2', '1.1.1.1'], search: ['a.example', 'b.example'], options: ['ndots:5', 'timeout:1'] });
  });
});
