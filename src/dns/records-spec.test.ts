/**
 * ZoneResolver (pure) record type by record type against the Kubernetes DNS specification
 * (kubernetes/dns docs/specification.md) and what CoreDNS's kubernetes plugin (1.11, Kubernetes
 * 1.32's) answers where the specification leaves it open: plugin/kubernetes parse.go/kubernetes.go
 * (parseRequest, findServices, Services) and plugin/backend_lookup.go (A, SRV).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { ZoneResolver, type DnsView } from './records.js';

const svc = (name: string, spec: NonNullable<Service['spec']>, ns = 'prod'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const slice = (service: string, suffix: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [], ns = 'prod'): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-${suffix}`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4', endpoints, ports,
});
const ready = (ip: string, hostname?: string): EndpointSlice['endpoints'][number] => ({ addresses: [ip], hostname, conditions: { ready: true } });

const SERVICES = [
  svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 8080, protocol: 'TCP' }] }),
  svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'admin', port: 9000, protocol: 'TCP' }] }),
  svc('empty', { clusterIP: 'None', ports: [{ name: 'x', port: 1, protocol: 'TCP' }] }),
  svc('ext', { type: 'ExternalName', externalName: 'upstream.example.test' }),
  svc('kube-dns', { clusterIP: '10.43.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }, 'kube-system'),
];
const SLICES = [
  slice('web', 'a', [ready('10.42.0.5'), { addresses: ['10.42.0.6'], conditions: { ready: false } }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  // Pods whose named port has another number land in another slice (the EndpointSlice controller groups by ports).
  slice('db', 'a', [ready('10.42.1.1', 'db-0')], [{ name: 'pg', port: 15432, protocol: 'TCP' }]),
  slice('db', 'b', [ready('10.42.1.2', 'db-1')], [{ name: 'pg', port: 25432, protocol: 'TCP' }]),
  slice('empty', 'a', [{ addresses: ['10.42.2.1'], conditions: { ready: false } }], [{ name: 'x', port: 1, protocol: 'TCP' }]),
];
const view: DnsView = {
  service: (ns, name) => SERVICES.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
  endpointSlices: (ns, name) => SLICES.filter((s) => s.metadata.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === name),
};
const zone = new ZoneResolver(view);
const Z = 'svc.cluster.local';
const show = (a: Answer): string => {
  const d = (a as { data?: unknown }).data;
  if (a.type === 'SRV') {
    const s = d as { weight: number; port: number; target: string };
    return `SRV ${s.weight} ${s.port} ${s.target}`;
  }
  if (a.type === 'TXT') return `TXT ${[d].flat().map(String).join('')} ttl=${a.ttl}`;
  return `${a.type} ${String(d)}`;
};
const answer = (name: string, type: string): string[] => zone.resolve(name, type).answers.map(show);
const rcode = (name: string, type: string): string => {
  const r = zone.resolve(name, type);
  return r.answers.length > 0 ? 'ANSWER' : r.rcode === 'NOERROR' ? 'NODATA' : r.rcode;
};

describe('cluster zone records against the DNS specification and CoreDNS', () => {
  it('dns-version.<zone> holds the schema version in a TXT record (spec 2.2; CoreDNS "1.1.0", TTL 28800)', () => {
    assert.deepEqual(answer('dns-version.cluster.local', 'TXT'), ['TXT 1.1.0 ttl=28800']);
    assert.equal(rcode('dns-version.cluster.local', 'A'), 'NODATA');
    assert.equal(rcode('other.cluster.local', 'TXT'), 'NXDOMAIN');
  });

  it('a headless Service without ready endpoints is NXDOMAIN whatever the type (spec 2.4.1; findServices errNoItems)', () => {
    for (const type of ['A', 'AAAA', 'SRV', 'TXT']) assert.equal(rcode(`empty.prod.${Z}`, type), 'NXDOMAIN', type);
    assert.equal(rcode(`db.prod.${Z}`, 'AAAA'), 'NODATA');
  });

  it('per-endpoint names of a ClusterIP Service resolve from its ready endpoints (CoreDNS: endpoint queries for any Service)', () => {
    assert.deepEqual(answer(`10-42-0-5.web.prod.${Z}`, 'A'), ['A 10.42.0.5']);
    assert.equal(rcode(`10-42-0-6.web.prod.${Z}`, 'A'), 'NXDOMAIN', 'not ready');
    assert.equal(rcode(`x.ext.prod.${Z}`, 'A'), 'NXDOMAIN', 'ExternalName has no endpoints');
  });

  it('SRV at the Service name: every port, named or not, weights share 100 (backend_lookup SRV); additionals once', () => {
    const r = zone.resolve(`web.prod.${Z}`, 'SRV');
    assert.deepEqual(r.answers.map(show), [`SRV 33 80 web.prod.${Z}`, `SRV 33 53 web.prod.${Z}`, `SRV 33 8080 web.prod.${Z}`]);
    assert.deepEqual(r.additionals.map((a) => `${a.name} ${show(a)}`), [`web.prod.${Z} A 10.43.0.10`]);
    assert.deepEqual(answer(`_dns._udp.web.prod.${Z}`, 'SRV'), [`SRV 100 53 web.prod.${Z}`]);
    assert.equal(rcode(`_dns._tcp.web.prod.${Z}`, 'SRV'), 'NXDOMAIN', 'protocol must match');
  });

  it('headless SRV: each ready endpoint with the port of its own EndpointSlice; a port no slice has gives none', () => {
    const r = zone.resolve(`_pg._tcp.db.prod.${Z}`, 'SRV');
    assert.deepEqual(r.answers.map(show), [`SRV 50 15432 db-0.db.prod.${Z}`, `SRV 50 25432 db-1.db.prod.${Z}`]);
    assert.deepEqual(r.additionals.map((a) => `${a.name} ${show(a)}`), [`db-0.db.prod.${Z} A 10.42.1.1`, `db-1.db.prod.${Z} A 10.42.1.2`]);
    assert.equal(rcode(`_admin._tcp.db.prod.${Z}`, 'SRV'), 'NXDOMAIN');
  });

  it('A at an SRV name answers the addresses behind it (CoreDNS A from the same records)', () => {
    assert.deepEqual(answer(`_http._tcp.web.prod.${Z}`, 'A'), ['A 10.43.0.10']);
    assert.deepEqual(answer(`_pg._tcp.db.prod.${Z}`, 'A'), ['A 10.42.1.1', 'A 10.42.1.2']);
  });

  it('wildcards are literal labels (CoreDNS removed wildcard queries in 1.9); the port and protocol labels may lack the underscore', () => {
    assert.equal(rcode(`*.prod.${Z}`, 'A'), 'NXDOMAIN');
    assert.equal(rcode(`any.prod.${Z}`, 'A'), 'NXDOMAIN');
    assert.equal(rcode(`_*._tcp.web.prod.${Z}`, 'SRV'), 'NXDOMAIN');
    assert.equal(rcode(`*.db.prod.${Z}`, 'A'), 'NXDOMAIN');
    assert.deepEqual(answer(`http.tcp.web.prod.${Z}`, 'SRV'), [`SRV 100 80 web.prod.${Z}`]);
  });

  it('types the plugin does not serve get NODATA at existing names, ANY included (default case: a fake A lookup)', () => {
    for (const name of [`web.prod.${Z}`, `db.prod.${Z}`, `db-0.db.prod.${Z}`, `10-1-2-3.prod.pod.cluster.local`]) {
      assert.equal(rcode(name, 'ANY'), 'NODATA', name);
      assert.equal(rcode(name, 'MX'), 'NODATA', name);
    }
  });

  it('ExternalName: CNAME for A, AAAA and CNAME (chased for the address types), NODATA for SRV (no SRV for external services)', () => {
    for (const type of ['A', 'AAAA', 'CNAME']) assert.deepEqual(answer(`ext.prod.${Z}`, type), ['CNAME upstream.example.test'], type);
    assert.deepEqual(zone.resolve(`ext.prod.${Z}`, 'AAAA').chase, { name: 'upstream.example.test', type: 'AAAA' });
    assert.equal(zone.resolve(`ext.prod.${Z}`, 'CNAME').chase, undefined);
    assert.equal(rcode(`ext.prod.${Z}`, 'SRV'), 'NODATA');
  });

  it('the apex holds NS ns.dns.<zone>, whose A is the kube-dns Service (CoreDNS nsAddrs); SOA in negative answers', () => {
    const ns = zone.resolve('cluster.local', 'NS');
    assert.deepEqual(ns.answers.map(show), ['NS ns.dns.cluster.local']);
    assert.deepEqual(ns.additionals.map((a) => `${a.name} ${show(a)}`), ['ns.dns.cluster.local A 10.43.0.10']);
    assert.deepEqual(answer('ns.dns.cluster.local', 'A'), ['A 10.43.0.10']);
    const nx = zone.resolve(`nope.prod.${Z}`, 'A');
    assert.deepEqual(nx.authorities.map((a) => `${a.type} ${a.name} ${(a as { ttl?: number }).ttl}`), ['SOA cluster.local 5']);
  });
});
