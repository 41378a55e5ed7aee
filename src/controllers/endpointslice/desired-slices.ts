/**
 * The EndpointSlices a Service should have (pure): its endpoints grouped by resolved ports (pods that
 * resolve a named port differently land in different slices, as upstream), at most 100 endpoints per
 * slice, a placeholder slice with no endpoints when nothing matches. They carry no name but upstream's
 * generateName `<service>-` (the API server adds 5 random characters); slice-plan.ts matches them
 * to the stored slices by ports.
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../api/kinds/discovery/endpoint-slice.js';
import { endpointPorts, HEADLESS_LABEL, podToEndpoint, shouldPodBeInEndpoints } from '../../api/endpoints/pod-endpoints.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** The identity of a slice's port set (upstream's endpointutil.NewPortMapKey): slices are grouped by it. */
export function portsKey(ports: readonly EndpointSlicePort[] | undefined): string {
  return JSON.stringify([...(ports ?? [])].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.protocol ?? '').localeCompare(b.protocol ?? '')));
}

/** Labels every slice of `svc` carries: the Service's own, then the controller's. */
export function sliceLabels(svc: Readonly<Service>): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** upstream's newEndpointSlice: generateName getEndpointSlicePrefix(service), `<service>-` (a Service name is a DNS label, always a valid prefix). */
function newSlice(svc: Readonly<Service>, ports: EndpointSlicePort[], endpoints: Endpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name!}-`, namespace: svc.metadata.namespace, labels: sliceLabels(svc),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4', endpoints, ports,
  };
}

/** The slices `svc` should have given every pod of its namespace that its selector matches. */
export function desiredSlices(svc: Readonly<Service>, pods: readonly Readonly<Pod>[]): EndpointSlice[] {
  const groups = new Map<string, { ports: EndpointSlicePort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(svc, pod));
  }
  if (groups.size === 0) return [newSlice(svc, [], [])];
  const out: EndpointSlice[] = [];
  for (const [, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    g.endpoints.sort((a, b) => (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? ''));
    for (let i = 0; i * MAX_ENDPOINTS_PER_SLICE < g.endpoints.length; i++) {
      out.push(newSlice(svc, g.ports, g.endpoints.slice(i * MAX_ENDPOINTS_PER_SLICE, (i + 1) * MAX_ENDPOINTS_PER_SLICE)));
    }
  }
  return out;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : val);
}

/** Whether the stored slice already says what the desired one says (no write needed). */
export function sliceMatches(stored: Readonly<EndpointSlice>, desired: Readonly<EndpointSlice>): boolean {
  return canonical(stored.metadata.labels ?? {}) === canonical(desired.metadata.labels ?? {})
    && canonical(stored.endpoints ?? []) === canonical(desired.endpoints)
    && canonical(stored.ports ?? []) === canonical(desired.ports ?? [])
    && (stored.metadata.ownerReferences ?? []).some((r) => r.uid === desired.metadata.ownerReferences?.[0]?.uid);
}
