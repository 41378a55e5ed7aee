/**
 * services/proxy: kube-apiserver's service ProxyREST with ResourceLocation
 * (pkg/registry/core/service/storage/storage.go). /api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH
 * goes to one ready address of the Service's Endpoints, picked at random, on the endpoint port whose
 * name is PORT (a number is first turned into the name of the Service port with that number); then as
 * pods/proxy (pod-proxy.ts), upgrades too (proxy-upgrade.ts). No address: upstream's 503 "no endpoints available for service".
 * As upstream's isValidAddress, an address is only dialled when its targetRef is a Pod that has that
 * IP (so an Endpoints object written by hand cannot point the API server at any address it likes).
 */
import { errors } from '../../api/status.js';
import type { StreamingHandler, StreamingRequest } from '../http/streaming.js';
import type { ResourceStorage } from '../storage/types.js';
import { globalUnicast, proxyTo, splitSchemeNamePort, type ProxyTarget } from './pod-proxy.js';
import { proxyUpgradeTo } from './proxy-upgrade.js';
import { admittedPath, proxyOptions } from './proxy-options.js';
import { ctxOf } from './pod-target.js';

interface ServiceLike {
  spec?: { ports?: { name?: string; port?: number }[] };
}

interface EndpointAddress {
  ip: string;
  targetRef?: { kind?: string; namespace?: string; name?: string };
}

interface EndpointsLike {
  subsets?: { addresses?: EndpointAddress[]; ports?: { name?: string; port: number }[] }[];
}

interface PodIps {
  status?: { podIP?: string; podIPs?: { ip: string }[] };
}

/** The core storage of a resource (looked up when a request comes: the catalog may be assembled later). */
export type CoreStorages = (resource: 'endpoints' | 'pods') => ResourceStorage | undefined;

export function serviceProxyHandler(storages: CoreStorages): StreamingHandler {
  return {
    resource: 'services',
    subresource: 'proxy',
    handle: async (req, res, r) => proxyTo(req, res, await serviceProxyTarget(r, storages), admittedPath(r)),
    upgrade: async (req, socket, head, r) => proxyUpgradeTo(req, socket, head, await serviceProxyTarget(r, storages), admittedPath(r)),
    connectOptions: proxyOptions('ServiceProxyOptions'),
  };
}

/** One address (of its pod) and port of the Service's Endpoints for `r`'s `[scheme:]NAME[:PORT]`. */
async function serviceProxyTarget(r: StreamingRequest, storages: CoreStorages): Promise<ProxyTarget> {
  const id = splitSchemeNamePort(r.name);
  if (!id) throw errors.badRequest(`invalid service request "${r.name}"`);
  const ns = r.namespace ?? 'default';
  let portName = id.port;
  if (/^\d+$/.test(portName)) {
    const svc = (await r.storage.get(ctxOf(r), ns, id.name)) as ServiceLike;
    const byNumber = svc.spec?.ports?.find((p) => p.port === Number(portName));
    if (!byNumber) throw errors.unavailable(`no service port ${portName} found for service "${id.name}"`);
    portName = byNumber.name ?? '';
  }
  const store = storages('endpoints');
  if (!store) throw errors.unavailable(`no endpoints available for service "${id.name}"`);
  const eps = (await store.get(ctxOf(r), ns, id.name)) as EndpointsLike;
  if (!eps.subsets?.length) throw errors.unavailable(`no endpoints available for service "${id.name}"`);
  const candidates = eps.subsets.flatMap((s) => {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName);
    return port ? (s.addresses ?? []).map((a) => ({ address: a, port: String(port.port) })) : [];
  });
  // From a random start, the first address that is its pod's (upstream tries them in that order).
  const start = Math.floor(Math.random() * candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[(start + i) % candidates.length]!;
    if (await isPodAddress(c.address, storages('pods'), r)) return { scheme: id.scheme, host: c.address.ip, port: c.port };
  }
  throw errors.unavailable(`no endpoints available for service "${r.name}"`);
}

async function isPodAddress(a: EndpointAddress, pods: ResourceStorage | undefined, r: StreamingRequest): Promise<boolean> {
  const ref = a.targetRef;
  if (!pods || ref?.kind !== 'Pod' || !ref.name || !globalUnicast(a.ip)) return false;
  const pod = (await pods.get(ctxOf(r), ref.namespace ?? r.namespace ?? 'default', ref.name).catch(() => undefined)) as PodIps | undefined;
  return !!pod && (pod.status?.podIP === a.ip || !!pod.status?.podIPs?.some((p) => p.ip === a.ip));
}
