/**
 * Answers for names in the cluster domain (pure), following the Kubernetes DNS specification
 * (kubernetes/dns docs/specification.md) as CoreDNS's kubernetes plugin implements it
 * (ServeDNS/Services, plugin/backend_lookup.go): service-records.ts finds what a name holds, and
 * the query type picks from it:
 *
 *   A      the addresses (ClusterIP; headless: every ready endpoint; an endpoint; a pod name)
 *   AAAA, CNAME   an ExternalName's CNAME (A and AAAA chase its target); addresses are IPv4: NODATA
 *   SRV    one per record with a port, weights sharing 100, the targets' A records as additionals
 *   TXT    `dns-version.<zone>`: the schema version, "1.1.0" as CoreDNS
 *   NS     at the apex: ns.dns.<zone>, whose A is the kube-dns Service's address
 *   SOA    at the apex; in the authority section of every negative answer
 *
 * A name that does not exist is NXDOMAIN whatever the type (a headless Service without ready
 * endpoints too, spec 2.4.1); an existing name without records of the type, ANY included (the
 * plugin serves no ANY), is NODATA (NOERROR, no answers).
 */
import type { Answer } from 'dns-packet';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { canonicalIPv4 } from '../api/net/ip.js';
import type { ReverseView } from './reverse-records.js';
import { findRecords, type NameRecord } from './service-records.js';

/** What the server reads: Services and their slices by name, and (for PTR answers) by address. */
export interface DnsView extends Partial<ReverseView> {
  service(namespace: string, name: string): Readonly<Service> | undefined;
  /** The EndpointSlices labelled kubernetes.io/service-name=<name> in the namespace. */
  endpointSlices(namespace: string, name: string): readonly Readonly<EndpointSlice>[];
}

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** A CNAME target whose records of `type` the server should look up (in the zone or upstream). */
  chase?: { name: string; type: 'A' | 'AAAA' };
}

export const DEFAULT_ZONE = 'cluster.local';
export const DEFAULT_TTL = 5;
/** The schema version the specification's `dns-version` record names (CoreDNS DNSSchemaVersion), and its TTL. */
export const DNS_SCHEMA_VERSION = '1.1.0';
const SCHEMA_TTL = 28800;

export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === zone || n.endsWith(`.${zone}`);
}

export class ZoneResolver {
  constructor(private readonly view: DnsView, readonly zone = DEFAULT_ZONE, private readonly ttl = DEFAULT_TTL) {}

  soa(): Answer {
    return {
      type: 'SOA', name: this.zone, ttl: this.ttl,
      data: { mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  /** The answer for `name`/`type` (name in the zone; case-insensitive, answered with the name as asked). */
  resolve(name: string, type: string): ZoneAnswer {
    const asked = name.replace(/\.$/, '');
    const lower = asked.toLowerCase();
    const rel = lower === this.zone ? '' : lower.slice(0, -(this.zone.length + 1));
    const labels = rel === '' ? [] : rel.split('.');
    const none = (): ZoneAnswer => ({ rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] });
    const nodata = (): ZoneAnswer => ({ rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] });
    const ok = (answers: Answer[], additionals: Answer[] = []): ZoneAnswer =>
      answers.length > 0 ? { rcode: 'NOERROR', answers, authorities: [], additionals } : nodata();
    const a = (n: string, ip: string): Answer => ({ type: 'A', name: n, ttl: this.ttl, data: ip });

    const nsName = `ns.dns.${this.zone}`;
    if (rel === '') {
      if (type === 'SOA') return ok([this.soa()]);
      if (type === 'NS') return ok([{ type: 'NS', name: asked, ttl: this.ttl, data: nsName }], this.nsAddresses().map((ip) => a(nsName, ip)));
      return nodata();
    }
    if (rel === 'dns-version') return type === 'TXT' ? ok([{ type: 'TXT', name: asked, ttl: SCHEMA_TTL, data: DNS_SCHEMA_VERSION }]) : nodata();
    if (rel === 'ns.dns') return type === 'A' ? ok(this.nsAddresses().map((ip) => a(asked, ip))) : nodata();

    const records = findRecords(this.view, this.zone, labels);
    if (!records) return none();
    const cname = records.find((r) => r.cname)?.cname;
    if (cname && (type === 'A' || type === 'AAAA' || type === 'CNAME')) {
      return { rcode: 'NOERROR', answers: [{ type: 'CNAME', name: asked, ttl: this.ttl, data: cname }], authorities: [], additionals: [], chase: type === 'CNAME' ? undefined : { name: cname, type } };
    }
    if (type === 'A') return ok([...new Set(records.flatMap((r) => (r.ip ? [r.ip] : [])))].map((ip) => a(asked, ip)));
    if (type === 'SRV') return this.srv(records.filter((r) => !r.cname), asked);
    return nodata();
  }

  /**
   * The DNS server's own addresses for `ns.dns.<zone>`: CoreDNS answers the Services whose
   * endpoints are its pods; the cluster DNS publishes itself as kube-system/kube-dns's endpoints.
   */
  private nsAddresses(): string[] {
    const spec = this.view.service('kube-system', 'kube-dns')?.spec;
    return (spec?.clusterIPs ?? [spec?.clusterIP]).map((ip) => canonicalIPv4(ip)).filter((ip): ip is string => !!ip);
  }

  /**
   * SRV records for the records with a port (backend_lookup.go SRV): each weighs 100 / (records
   * at the name, CoreDNS counting the portless too), at least 1; each target's A record once in
   * the additional section. None with a port: NODATA.
   */
  private srv(records: NameRecord[], asked: string): ZoneAnswer {
    const weight = Math.max(1, Math.floor(100 / Math.max(1, records.length)));
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const seen = new Set<string>();
    for (const r of records) {
      if (r.port < 0) continue;
      answers.push({ type: 'SRV', name: asked, ttl: this.ttl, data: { priority: 0, weight, port: r.port, target: r.target } });
      const key = `${r.target} ${r.ip}`;
      if (r.ip && !seen.has(key)) {
        seen.add(key);
        additionals.push({ type: 'A', name: r.target, ttl: this.ttl, data: r.ip });
      }
    }
    if (answers.length === 0) return { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }
}
