/**
 * Where an APIService's Service is reached, as kube-aggregator's endpoint ServiceResolver
 * (--enable-aggregator-routing: an endpoint, not the ClusterIP, since the API server's host need not
 * run the service proxy), reading the Service and its EndpointSlices (label
 * kubernetes.io/service-name): the Service port equal to spec.service.port, then a ready endpoint
 * of a slice port of the same name. A failure carries the availability controller's reason
 * (available_controller.go: ServiceNotFound, ServicePortError, EndpointsNotFound, MissingEndpoints).
 */
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import type { Service } from '../../api/kinds/core/service.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';

export interface ServiceRef {
  namespace?: string;
  name?: string;
  port?: number;
}

export interface ResolvedEndpoint {
  host: string;
  port: number;
  /** The name the serving certificate must carry: <service>.<namespace>.svc. */
  serverName: string;
}

/** A Service that cannot be reached, with the Available condition's reason. */
export class UnresolvableService extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

export interface ServiceStorages {
  services(): ResourceStorage | undefined;
  endpointSlices(): ResourceStorage | undefined;
}

export async function resolveService(st: ServiceStorages, ctx: RequestContext, ref: ServiceRef): Promise<ResolvedEndpoint> {
  const ns = ref.namespace ?? '';
  const name = ref.name ?? '';
  const port = ref.port ?? 443;
  const serverName = `${name}.${ns}.svc`;
  let svc: Service;
  try {
    svc = await st.services()!.get(ctx, ns, name) as Service;
  } catch (err) {
    if (isStatusError(err, 404)) throw new UnresolvableService('ServiceNotFound', `service/${name} in "${ns}" is not present`);
    throw err;
  }
  if (svc.spec?.type === 'ExternalName') return { host: svc.spec.externalName ?? '', port, serverName };
  const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === port);
  if (!svcPort) throw new UnresolvableService('ServicePortError', `service/${name} in "${ns}" is not listening on port ${port}`);
  const slices = (await st.endpointSlices()!.list(ctx, ns, { labelSelector: `kubernetes.io/service-name=${name}` })).items as EndpointSlice[];
  if (slices.length === 0) throw new UnresolvableService('EndpointsNotFound', `cannot find endpoints for service/${name} in "${ns}"`);
  const candidates: ResolvedEndpoint[] = [];
  for (const slice of slices) {
    const p = (slice.ports ?? []).find((x) => (x.name ?? '') === (svcPort.name ?? ''));
    if (!p?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const addr of ep.addresses ?? []) candidates.push({ host: addr, port: p.port, serverName });
    }
  }
  if (candidates.length === 0) throw new UnresolvableService('MissingEndpoints', `endpoints for service/${name} in "${ns}" have no addresses with port name "${svcPort.name ?? ''}"`);
  return candidates[Math.floor(Math.random() * candidates.length)]!;
}
