/**
 * What the proxy renders from (pure): the API objects it reads and the node facts it needs, and
 * their reduction to one entry per Service port with the endpoints each kind of traffic may use
 * (upstream pkg/proxy's ServicePort and endpoint categorisation, trimmed to what Bosun renders).
 */
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { parseCIDR } from '../../api/net/cidr.js';
import { isValidPort } from '../../api/net/validation.js';
import { canonicalIPv4, ipCompare } from '../../api/net/ip.js';

export interface ProxyInput {
  services: readonly Readonly<Service>[];
  endpointSlices: readonly Readonly<EndpointSlice>[];
  /** This node's name: endpoints with this nodeName are local (externalTrafficPolicy: Local). */
  nodeName: string;
  /** Addresses NodePorts answer on (the node's InternalIP/ExternalIP addresses). */
  nodeIPs: readonly string[];
  /** Pod network: traffic from outside it to a ClusterIP is masqueraded (upstream --cluster-cidr). */
  clusterCidr?: string;
  /** Service network: packets to it that match no Service are dropped (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** Masquerade all Service traffic (upstream --masquerade-all). */
  masqueradeAll?: boolean;
  /** nftables table (default `bosun`): distinct names let several nodes share one host (tests). */
  table?: string;
}

export interface Backend {
  ip: string;
  port: number;
}

/** One Service port as the proxy sees it. */
export interface ServicePortInfo {
  /** `namespace/name/protocol/portName` (upstream ServicePortName, lower-case protocol). */
  id: string;
  clusterIP?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  port: number;
  nodePort?: number;
  /** externalIPs and LoadBalancer ingress IPs. */
  externalIPs: string[];
  /** The LoadBalancer ingress IPs among them (ipMode VIP or unset), which loadBalancerSourceRanges guard. */
  loadBalancerIPs: string[];
  /** spec.loadBalancerSourceRanges, the IPv4 ones in canonical form (upstream's per-family split). */
  sourceRanges: string[];
  externalLocal: boolean;
  /** Seconds of ClientIP affinity, or undefined. */
  affinitySeconds?: number;
  internalLocal: boolean;
  /** Every usable endpoint (upstream clusterEndpoints: the cluster policy chain's). */
  allEndpoints: Backend[];
  /** This node's usable endpoints (the local policy chain's). */
  localEndpoints: Backend[];
  /** Endpoints for traffic to the ClusterIP (internalTrafficPolicy applied). */
  clusterEndpoints: Backend[];
  /** Endpoints for external traffic (externalTrafficPolicy applied). */
  externalEndpoints: Backend[];
  /** Whether any endpoint exists at all (else: reject, not drop). */
  anyEndpoints: boolean;
  /** spec.healthCheckNodePort of a LoadBalancer Service with externalTrafficPolicy Local (upstream NeedsHealthCheck). */
  healthCheckNodePort?: number;
  /** Ready endpoints on this node (upstream LocalReadyEndpoints: terminating ones do not count). */
  localReadyEndpoints: number;
}

interface Candidate extends Backend {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  local: boolean;
}

/** Default ClientIP affinity timeout (upstream DefaultClientIPServiceAffinitySeconds, 3 h). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

/**
 * Ready endpoints; when none is ready, the serving terminating ones (upstream
 * ProxyTerminatingEndpoints), so connections drain instead of failing during a rollout.
 */
function usable(cands: Candidate[]): Candidate[] {
  const ready = cands.filter((c) => c.ready);
  if (ready.length > 0) return ready;
  return cands.filter((c) => c.serving && c.terminating);
}

const byAddress = (a: Backend, b: Backend): number => ipCompare(a.ip, b.ip) || a.port - b.port;

function candidatesFor(portName: string, protocol: string, slices: readonly Readonly<EndpointSlice>[], nodeName: string): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = canonicalIPv4(ep.addresses[0]);
      if (!ip) continue;
      const key = `${ip}:${port.port}`;
      if (seen.has(key)) continue;
      const terminating = ep.conditions?.terminating === true;
      seen.set(key, {
        ip, port: port.port,
        // Unset conditions mean ready and serving (upstream EndpointSliceCache: nil is true).
        ready: ep.conditions?.ready !== false,
        serving: ep.conditions?.serving !== false,
        terminating,
        local: ep.nodeName === nodeName,
      });
    }
  }
  return [...seen.values()].sort(byAddress);
}

/** Every proxied Service port, sorted by id (ExternalName and headless Services are not proxied). */
export function servicePorts(input: ProxyInput): ServicePortInfo[] {
  const slicesBySvc = new Map<string, Readonly<EndpointSlice>[]>();
  for (const s of input.endpointSlices) {
    const name = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!name) continue;
    const key = `${s.metadata.namespace}/${name}`;
    let list = slicesBySvc.get(key);
    if (!list) slicesBySvc.set(key, (list = []));
    list.push(s);
  }
  const out: ServicePortInfo[] = [];
  for (const svc of input.services) {
    const spec = svc.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName') continue;
    // IPv4 only (the table is `ip` family), in canonical form; checked-input.ts refused anything malformed.
    const clusterIP = canonicalIPv4(spec.clusterIP);
    // An ingress IP of ipMode Proxy is the load balancer's own address: traffic reaches the node
    // addressed to the NodePort, so it is not captured (upstream IsVIPMode).
    const loadBalancerIPs = (type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []) : [])
      .filter((i) => (i.ipMode ?? 'VIP') === 'VIP').map((i) => canonicalIPv4(i.ip)).filter((ip): ip is string => !!ip);
    const externalIPs = [...(spec.externalIPs ?? []).map(canonicalIPv4).filter((ip): ip is string => !!ip), ...loadBalancerIPs];
    const sourceRanges = [...new Set((spec.loadBalancerSourceRanges ?? []).map((c) => parseCIDR(c.trim())).filter((c) => c?.family === 4).map((c) => c!.text))].sort();
    if (!clusterIP && externalIPs.length === 0 && type === 'ClusterIP') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const slices = slicesBySvc.get(key) ?? [];
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP').toLowerCase() as ServicePortInfo['protocol'];
      const cands = candidatesFor(p.name ?? '', p.protocol ?? 'TCP', slices, input.nodeName);
      const all = usable(cands);
      const local = usable(cands.filter((c) => c.local));
      const strip = (cs: Candidate[]): Backend[] => cs.map(({ ip, port }) => ({ ip, port }));
      out.push({
        id: `${key}/${protocol}/${p.name ?? ''}`,
        clusterIP, protocol, port: p.port,
        nodePort: type === 'NodePort' || type === 'LoadBalancer' ? p.nodePort || undefined : undefined,
        externalIPs: [...new Set(externalIPs)].sort(),
        loadBalancerIPs: [...new Set(loadBalancerIPs)].sort(),
        sourceRanges,
        externalLocal: spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0),
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : undefined,
        internalLocal: spec.internalTrafficPolicy === 'Local',
        allEndpoints: strip(all),
        localEndpoints: strip(local),
        clusterEndpoints: strip(spec.internalTrafficPolicy === 'Local' ? local : all),
        externalEndpoints: strip(spec.externalTrafficPolicy === 'Local' ? local : all),
        anyEndpoints: all.length > 0,
        healthCheckNodePort: type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && isValidPort(spec.healthCheckNodePort) ? spec.healthCheckNodePort : undefined,
        localReadyEndpoints: cands.filter((c) => c.local && c.ready).length,
      });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
