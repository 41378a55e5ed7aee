/**
 * Answers for names in the cluster domain (pure), following the Kubernetes DNS specification as
 * CoreDNS's kubernetes plugin implements it:
 *
 *   <svc>.<ns>.svc.<zone>            A: the ClusterIP; headless: every ready endpoint IP;
 *                                    ExternalName: CNAME to spec.externalName
 *   <host>.<svc>.<ns>.svc.<zone>     A of one headless endpoint (hostname or dashed IP)
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>   SRV per named port (per endpoint when headless)
 *   <a-b-c-d>.<ns>.pod.<zone>        A: the IP written in the name
 *
 * Anything else in the zone is NXDOMAIN; a known name without records of the asked type is NODATA
 * (NOERROR, no answers, the zone's SOA in authority).
 */
import type { Answer } from 'dns-packet';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { canonicalIPv4, ipCompare, isIPv4 } from '../api/net/ip.js';
import type { ReverseView } from './reverse-records.js';

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
  /** A CNAME target outside the zone whose A records the server should look up upstream. */
  chase?: string;
}

export const DEFAULT_ZONE = 'cluster.local';
export const DEFAULT_TTL = 5;

interface HeadlessEndpoint {
  ip: string;
  hostname?: string;
}

export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === zone || n.endsWith(`.${zone}`);
}

function readyEndpoints(slices: readonly Readonly<EndpointSlice>[]): HeadlessEndpoint[] {
  const seen = new Map<string, HeadlessEndpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const raw of ep.addresses) {
        const ip = canonicalIPv4(raw);
        if (ip && !seen.has(ip)) seen.set(ip, { ip, hostname: ep.hostname });
      }
    }
  }
  // Numeric octet order, as localeCompare({numeric}) gave, without ICU's collator.
  return [...seen.values()].sort((a, b) => ipCompare(a.ip, b.ip));
}

function endpointLabel(ep: HeadlessEndpoint): string {
  return ep.hostname ?? ep.ip.replace(/\./g, '-');
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

    if (labels.length === 0) return type === 'SOA' ? ok([this.soa()]) : nodata();
    const last = labels[labels.length - 1];
    if (last === 'pod' && labels.length === 3) {
      const ip = labels[0]!.replace(/-/g, '.');
      if (!isIPv4(ip)) return none();
      return type === 'A' || type === 'ANY' ? ok([a(asked, ip)]) : nodata();
    }
    if (last !== 'svc') return labels.length <= 2 && last === 'pod' ? nodata() : none();
    if (labels.length === 1) return nodata();
    if (labels.length === 2) return nodata(); // <ns>.svc.<zone>: exists as a name, holds no records

    const [svcName, ns] = labels.slice(-3, -1) as [string, string];
    const svc = this.view.service(ns, svcName);
    if (!svc) return none();
    const spec = svc.spec ?? {};
    const svcFqdn = `${svcName}.${ns}.svc.${this.zone}`;
    const headless = spec.clusterIP === 'None';
    const endpoints = headless ? readyEndpoints(this.view.endpointSlices(ns, svcName)) : [];

    if (labels.length === 3) {
      if (spec.type === 'ExternalName') {
        const target = (spec.externalName ?? '').replace(/\.$/, '');
        if (!target) return none();
        return { rcode: 'NOERROR', answers: [{ type: 'CNAME', name: asked, ttl: this.ttl, data: target }], authorities: [], additionals: [], chase: type === 'A' ? target : undefined };
      }
      if (type === 'SRV') return this.srv(svc, svcFqdn, endpoints, asked, undefined, undefined);
      if (type !== 'A' && type !== 'ANY') return nodata();
      const clusterIP = canonicalIPv4(spec.clusterIP);
      if (!headless) return clusterIP ? ok([a(asked, clusterIP)]) : nodata();
      return endpoints.length > 0 ? ok(endpoints.map((e) => a(asked, e.ip))) : none();
    }
    if (labels.length === 4 && headless) {
      const ep = endpoints.find((e) => endpointLabel(e) === labels[0]);
      if (!ep) return none();
      return type === 'A' || type === 'ANY' ? ok([a(asked, ep.ip)]) : nodata();
    }
    if (labels.length === 5 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      if (type !== 'SRV' && type !== 'ANY') return nodata();
      return this.srv(svc, svcFqdn, endpoints, asked, labels[0]!.slice(1), labels[1]!.slice(1));
    }
    return none();
  }

  /** SRV records for named ports (all of them when port/proto are undefined). */
  private srv(svc: Readonly<Service>, svcFqdn: string, endpoints: HeadlessEndpoint[], asked: string, port?: string, proto?: string): ZoneAnswer {
    const ports = (svc.spec?.ports ?? []).filter((p) => p.name && (port === undefined || p.name === port) && (proto === undefined || (p.protocol ?? 'TCP').toLowerCase() === proto));
    if (ports.length === 0) return port === undefined ? { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] } : { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const ns = svc.metadata.namespace!;
    for (const p of ports) {
      if (svc.spec?.clusterIP !== 'None') {
        answers.push({ type: 'SRV', name: asked, ttl: this.ttl, data: { priority: 0, weight: 100, port: p.port, target: svcFqdn } });
        const clusterIP = canonicalIPv4(svc.spec?.clusterIP);
        if (clusterIP) additionals.push({ type: 'A', name: svcFqdn, ttl: this.ttl, data: clusterIP });
        continue;
      }
      const slices = this.view.endpointSlices(ns, svc.metadata.name!);
      const epPort = slices.flatMap((s) => s.ports ?? []).find((sp) => sp.name === p.name)?.port ?? p.port;
      const weight = Math.max(1, Math.floor(100 / Math.max(1, endpoints.length)));
      for (const ep of endpoints) {
        const target = `${endpointLabel(ep)}.${svcFqdn}`;
        answers.push({ type: 'SRV', name: asked, ttl: this.ttl, data: { priority: 0, weight, port: epPort, target } });
        additionals.push({ type: 'A', name: target, ttl: this.ttl, data: ep.ip });
      }
    }
    if (answers.length === 0) return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }
}
