/**
 * What the EndpointSliceMirroring controller writes for a custom Endpoints (pure; upstream
 * pkg/controller/endpointslicemirroring reconciler.go and utils.go): the addresses of every subset,
 * grouped by address type and port set (subsets with the same ports share a slice), at most
 * MAX_ENDPOINTS_PER_SUBSET per subset, ready addresses ready and notReadyAddresses not; invalid IPs
 * are skipped. Each slice copies the Endpoints' labels and annotations (but the last-change trigger
 * time and kubectl's last-applied configuration), is labelled with the Service's name and the
 * controller's, owned by the Endpoints, and named by the API server from `<endpoints>-`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { EndpointAddress, Endpoints, EndpointSubset } from '../../api/kinds/core/endpoints.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../api/kinds/discovery/endpoint-slice.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** resourcelock.LeaderElectionRecordAnnotationKey: Endpoints used as a leader-election lock are not mirrored. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const NOT_COPIED_ANNOTATIONS = new Set(['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration']);
/** Upstream --mirroring-max-endpoints-per-subset default. */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;

/** upstream's shouldMirror: not labelled skip-mirror=true, not a leader-election record. */
export function shouldMirror(ep: Readonly<Endpoints>): boolean {
  return ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true' && !(LEADER_ANNOTATION in (ep.metadata.annotations ?? {}));
}

/** Slices are grouped by address type and port set (upstream's addrTypePortMapKey). */
export function sliceKey(addressType: string, ports: readonly EndpointSlicePort[] | undefined): string {
  const sorted = [...(ports ?? [])].map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return `${addressType}/${JSON.stringify(sorted)}`;
}

/** epPortsToEpsPorts: every field carried, the name '' when unnamed (a Go string pointer). */
function slicePorts(subset: Readonly<EndpointSubset>): EndpointSlicePort[] {
  return (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
}

/** addressToEndpoint: undefined for an address that is not an IP. */
function toEndpoint(a: Readonly<EndpointAddress>, ready: boolean): { endpoint: Endpoint; addressType: 'IPv4' | 'IPv6' } | undefined {
  const addressType = isIPv4(a.ip) ? 'IPv4' : isIPv6(a.ip) ? 'IPv6' : undefined;
  if (!addressType) return undefined;
  const endpoint: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) endpoint.hostname = a.hostname;
  if (a.nodeName) endpoint.nodeName = a.nodeName;
  if (a.targetRef) endpoint.targetRef = a.targetRef;
  return { endpoint, addressType };
}

/** newEndpointSlice without a name: labels, annotations and owner from the Endpoints. */
function newSlice(ep: Readonly<Endpoints>, addressType: EndpointSlice['addressType'], ports: EndpointSlicePort[], endpoints: Endpoint[]): EndpointSlice {
  const annotations = Object.fromEntries(Object.entries(ep.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED_ANNOTATIONS.has(k)));
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${ep.metadata.name!}-`, namespace: ep.metadata.namespace,
      labels: { ...(ep.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: ep.metadata.name!, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME },
      annotations,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name!, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType, ports, endpoints,
  };
}

/** The slices mirroring `ep`, one per address type and port set, keyed by sliceKey. */
export function desiredMirror(ep: Readonly<Endpoints>): Map<string, EndpointSlice> {
  const groups = new Map<string, { addressType: EndpointSlice['addressType']; ports: EndpointSlicePort[]; byAddress: Map<string, Endpoint> }>();
  for (const subset of ep.subsets ?? []) {
    const ports = slicePorts(subset);
    const all = [...(subset.addresses ?? []).map((a) => [a, true] as const), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as const)];
    let added = 0;
    for (const [address, ready] of all) {
      if (added >= MAX_ENDPOINTS_PER_SUBSET) break;
      const e = toEndpoint(address, ready);
      if (!e) continue;
      added++;
      const key = sliceKey(e.addressType, ports);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType: e.addressType, ports, byAddress: new Map() }));
      g.byAddress.set(JSON.stringify(e.endpoint), e.endpoint);
    }
  }
  const out = new Map<string, EndpointSlice>();
  for (const [key, g] of groups) out.set(key, newSlice(ep, g.addressType, g.ports, [...g.byAddress.values()].slice(0, MAX_ENDPOINTS_PER_SUBSET)));
  return out;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : val);
}

/** Whether a stored slice already holds the desired endpoints, labels and annotations. */
export function mirrorMatches(stored: Readonly<EndpointSlice>, desired: Readonly<EndpointSlice>): boolean {
  const endpoints = (s: Readonly<EndpointSlice>) => (s.endpoints ?? []).map(canonical).sort();
  return canonical(endpoints(stored)) === canonical(endpoints(desired))
    && canonical(stored.metadata.labels ?? {}) === canonical(desired.metadata.labels ?? {})
    && canonical(stored.metadata.annotations ?? {}) === canonical(desired.metadata.annotations ?? {});
}
