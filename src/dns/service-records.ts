/**
 * What a name under `svc.<zone>` or `pod.<zone>` holds, before the query type picks from it (pure):
 * CoreDNS's kubernetes plugin parseRequest + findServices/findPods (plugin/kubernetes parse.go,
 * kubernetes.go; `pods insecure`, no wildcards since CoreDNS 1.9), which A, SRV and the rest then
 * read alike. So an A query at `_<port>._<proto>.<svc>...` answers the addresses behind those SRV
 * records, and every type at a name that does not exist is NXDOMAIN.
 *
 *   <svc>.<ns>.svc                 ClusterIP: one record per Service port (port and protocol any);
 *                                  headless: one per ready endpoint and port of its EndpointSlice
 *   <ep>.<svc>.<ns>.svc            the ready endpoints named <ep> (hostname, else dashed IP), of
 *                                  any Service with endpoints, headless or not
 *   _<port>._<proto>.<svc>.<ns>.svc  the above for that port name and protocol
 *   <a-b-c-d>.<ns>.pod             the address written in the name
 */
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { canonicalIPv4, ipCompare, isIPv4 } from '../api/net/ip.js';

/** One answerable item behind a name: an address with the port an SRV record would name, or a CNAME. */
export interface NameRecord {
  ip?: string;
  /** An ExternalName's target. */
  cname?: string;
  /** The SRV port; -1 for an EndpointSlice without ports (CoreDNS's sentinel: an address, no SRV). */
  port: number;
  /** The SRV target: the Service's name, or the endpoint's name under it. */
  target: string;
}

/** What the finder reads (records.ts's DnsView). */
export interface ServiceSource {
  service(namespace: string, name: string): Readonly<Service> | undefined;
  endpointSlices(namespace: string, name: string): readonly Readonly<EndpointSlice>[];
}

const strip = (label: string): string => (label.startsWith('_') ? label.slice(1) : label);
/** CoreDNS matchPortAndProtocol: an empty query side matches anything; comparison ignores case. */
const matches = (want: string, have: string | undefined): boolean => want === '' || want === (have ?? '').toLowerCase();

/** The endpoint's label under its Service (CoreDNS endpointHostname). */
export function endpointLabel(ip: string, hostname: string | undefined): string {
  return hostname || ip.replace(/\./g, '-');
}

/**
 * The records at `labels` (the name's labels left of the zone, lowercased): undefined when the name
 * does not exist (NXDOMAIN), [] when it exists without records (NODATA: `svc`, `<ns>.svc`, `pod`, ...).
 */
export function findRecords(view: ServiceSource, zone: string, labels: readonly string[]): NameRecord[] | undefined {
  const kind = labels[labels.length - 1];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  if (labels.length <= 2) return []; // every namespace is exposed, as CoreDNS without `namespaces`
  if (labels.length > 5) return undefined;
  const [name, ns] = labels.slice(-3, -1) as [string, string];
  if (kind === 'pod') {
    if (labels.length !== 3) return undefined;
    const ip = name.replace(/-/g, '.');
    return isIPv4(ip) ? [{ ip, port: -1, target: `${name}.${ns}.pod.${zone}` }] : undefined;
  }
  const svc = view.service(ns, name);
  if (!svc) return undefined;
  const endpoint = labels.length === 4 ? labels[0] : undefined;
  const [port, proto] = labels.length === 5 ? [strip(labels[0]!), strip(labels[1]!)] : ['', ''];
  const svcFqdn = `${name}.${ns}.svc.${zone}`;
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') {
    const target = (spec.externalName ?? '').replace(/\.$/, '');
    // An address in externalName is no CNAME target (msg.Service HostType), and there are no endpoints.
    if (endpoint !== undefined || !target || canonicalIPv4(target)) return undefined;
    return [{ cname: target, port: -1, target: svcFqdn }];
  }
  let out: NameRecord[] = [];
  if (spec.clusterIP === 'None' || endpoint !== undefined) {
    for (const s of view.endpointSlices(ns, name)) {
      if (s.addressType !== 'IPv4') continue;
      const ports = (s.ports ?? []).length > 0 ? s.ports! : [{ port: -1 }];
      for (const ep of s.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue; // unknown (unset) counts as ready
        for (const raw of ep.addresses) {
          const ip = canonicalIPv4(raw);
          if (!ip) continue;
          const label = endpointLabel(ip, ep.hostname);
          if (endpoint !== undefined && label.toLowerCase() !== endpoint) continue;
          for (const p of ports) {
            if (!matches(port, p.name) || !matches(proto, p.protocol ?? 'TCP')) continue;
            out.push({ ip, port: p.port ?? -1, target: `${label}.${svcFqdn}` });
          }
        }
      }
    }
    // Numeric address order (stable: a port order within one address stays the slice's).
    out.sort((a, b) => ipCompare(a.ip!, b.ip!));
  } else {
    const ips = (spec.clusterIPs ?? [spec.clusterIP]).map((ip) => canonicalIPv4(ip)).filter((ip): ip is string => !!ip);
    const ports = spec.ports ?? [];
    // A Service without ports (invalid unless headless) still has its address.
    const wanted = ports.length === 0 && port === '' ? [{ port: -1, protocol: undefined, name: undefined }] : ports.filter((p) => matches(port, p.name) && matches(proto, p.protocol ?? 'TCP'));
    if (wanted.length === 0) return undefined;
    for (const p of wanted) for (const ip of ips) out.push({ ip, port: p.port, target: svcFqdn });
  }
  const seen = new Set<string>();
  out = out.filter((r) => !seen.has(`${r.ip} ${r.port} ${r.target}`) && !!seen.add(`${r.ip} ${r.port} ${r.target}`));
  return out.length > 0 ? out : undefined;
}
