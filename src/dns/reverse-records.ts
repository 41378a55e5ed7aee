/**
 * PTR answers for cluster addresses (pure), as CoreDNS's kubernetes plugin serves the reverse zone
 * in-addr.arpa with `fallthrough` (plugin/kubernetes reverse.go, serviceRecordForIP): a Service's
 * ClusterIP names `<svc>.<ns>.svc.<zone>`; otherwise every ready endpoint with that address names
 * `<hostname or dashed IP>.<svc>.<ns>.svc.<zone>`. An address the cluster does not know gets
 * nothing here, and the server forwards the question upstream (the fallthrough).
 */
import type { Answer } from 'dns-packet';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { canonicalIPv4 } from '../api/net/ip.js';

/** Lookups by address; the cluster DNS indexes its informers by them. */
export interface ReverseView {
  /** Services whose spec.clusterIP(s) hold `ip`. */
  servicesByIP(ip: string): readonly Readonly<Service>[];
  /** EndpointSlices with an endpoint address `ip`. */
  endpointSlicesByIP(ip: string): readonly Readonly<EndpointSlice>[];
}

/** The IPv4 address a `d.c.b.a.in-addr.arpa` name stands for, or undefined. */
export function reverseIPv4(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.?$/i.exec(name);
  return m ? canonicalIPv4(`${m[4]}.${m[3]}.${m[2]}.${m[1]}`) : undefined;
}

/** The PTR records for `name` (as asked), or [] when the address is not the cluster's. */
export function reverseAnswers(view: ReverseView, name: string, zone: string, ttl: number): Answer[] {
  const ip = reverseIPv4(name);
  if (!ip) return [];
  const asked = name.replace(/\.$/, '');
  const ptr = (target: string): Answer => ({ type: 'PTR', name: asked, ttl, data: target });
  const svc = view.servicesByIP(ip).find((s) => s.spec?.clusterIP !== 'None');
  if (svc) return [ptr(`${svc.metadata.name}.${svc.metadata.namespace}.svc.${zone}`)];
  const out: Answer[] = [];
  for (const s of view.endpointSlicesByIP(ip)) {
    const service = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false || !ep.addresses.some((a) => canonicalIPv4(a) === ip)) continue;
      out.push(ptr(`${ep.hostname ?? ip.replaceAll('.', '-')}.${service}.${s.metadata.namespace}.svc.${zone}`));
    }
  }
  return out;
}
