/**
 * The renderer's own check of everything it would write into an nft script (pure). The API server
 * validates these fields already (src/api/kinds), but the ruleset is root on every node, so a value
 * that slipped past it (an old stored object, a bug, a store written behind the API's back) must
 * not become nft syntax: a Service or EndpointSlice with any malformed rendered field is left out
 * whole and reported, the rest of the ruleset renders as usual. Addresses come out canonical
 * (src/api/net), so `010.0.0.1` renders as 10.0.0.1 and nothing but digits, dots and colons does.
 * Node addresses are filtered one by one; the node's own configuration (CIDRs, table name) throws.
 */
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { parseCIDR } from '../../api/net/cidr.js';
import { canonicalIPv4, parseIP } from '../../api/net/ip.js';
import { isValidPort } from '../../api/net/validation.js';
import type { ProxyInput } from './model.js';

export interface RefusedObject {
  kind: 'Service' | 'EndpointSlice' | 'NodeAddress';
  namespace?: string;
  name?: string;
  /** The first malformed field and why. */
  reason: string;
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
/** What may go into an object name in a chain name (DNS labels; port names are IANA_SVC_NAMEs). */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const ipProblem = (field: string, v: unknown): string | undefined => (parseIP(v) ? undefined : `${field}: not an IP address: ${JSON.stringify(v)}`);

function portProblem(field: string, p: { port?: unknown; protocol?: unknown; name?: unknown }, portRequired: boolean): string | undefined {
  if ((portRequired || p.port !== undefined) && !isValidPort(p.port)) return `${field}.port: not a port: ${JSON.stringify(p.port)}`;
  if (p.protocol !== undefined && !PROTOCOLS.has(p.protocol as string)) return `${field}.protocol: not TCP, UDP or SCTP: ${JSON.stringify(p.protocol)}`;
  if (p.name !== undefined && p.name !== '' && (typeof p.name !== 'string' || !LABEL.test(p.name))) return `${field}.name: not a port name: ${JSON.stringify(p.name)}`;
  return undefined;
}

/** Why `svc` must not be rendered, or undefined when every rendered field is well-formed. */
export function serviceProblem(svc: Readonly<Service>): string | undefined {
  const { namespace, name } = svc.metadata ?? {};
  if (typeof namespace !== 'string' || !LABEL.test(namespace)) return `metadata.namespace: not a DNS label: ${JSON.stringify(namespace)}`;
  if (typeof name !== 'string' || !LABEL.test(name)) return `metadata.name: not a DNS label: ${JSON.stringify(name)}`;
  const spec = svc.spec ?? {};
  if (spec.clusterIP && spec.clusterIP !== 'None') {
    const p = ipProblem('spec.clusterIP', spec.clusterIP);
    if (p) return p;
  }
  for (const [i, ip] of (spec.externalIPs ?? []).entries()) {
    const p = ipProblem(`spec.externalIPs[${i}]`, ip);
    if (p) return p;
  }
  for (const [i, ing] of (svc.status?.loadBalancer?.ingress ?? []).entries()) {
    const p = ing.ip === undefined ? undefined : ipProblem(`status.loadBalancer.ingress[${i}].ip`, ing.ip);
    if (p) return p;
  }
  for (const [i, port] of (spec.ports ?? []).entries()) {
    const p = portProblem(`spec.ports[${i}]`, port, true);
    if (p) return p;
    if (port.nodePort !== undefined && port.nodePort !== 0 && !isValidPort(port.nodePort)) return `spec.ports[${i}].nodePort: not a port: ${JSON.stringify(port.nodePort)}`;
  }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= 86400)) {
    return `spec.sessionAffinityConfig.clientIP.timeoutSeconds: not 1..86400: ${JSON.stringify(timeout)}`;
  }
  return undefined;
}

/** Why `slice` must not be rendered, or undefined. Only IPv4 slices are rendered, so only they are checked. */
export function endpointSliceProblem(slice: Readonly<EndpointSlice>): string | undefined {
  if (slice.addressType !== 'IPv4') return undefined;
  for (const [i, ep] of (slice.endpoints ?? []).entries()) {
    for (const [j, a] of (ep.addresses ?? []).entries()) {
      if (canonicalIPv4(a) === undefined) return `endpoints[${i}].addresses[${j}]: not an IPv4 address: ${JSON.stringify(a)}`;
    }
  }
  for (const [i, port] of (slice.ports ?? []).entries()) {
    const p = portProblem(`ports[${i}]`, port, false);
    if (p) return p;
  }
  return undefined;
}

function cidrOrThrow(what: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const c = parseCIDR(text);
  if (c?.family !== 4) throw new Error(`proxy: ${what} is not an IPv4 CIDR: ${JSON.stringify(text)}`);
  return c.text;
}

/** `input` with malformed objects left out and node addresses canonical; what was left out is listed. */
export function checkInput(input: ProxyInput): { input: ProxyInput; refused: RefusedObject[] } {
  if (input.table !== undefined && !/^[A-Za-z][A-Za-z0-9_-]{0,30}$/.test(input.table)) throw new Error(`proxy: bad nftables table name ${JSON.stringify(input.table)}`);
  const refused: RefusedObject[] = [];
  const keep = <T extends Readonly<Service> | Readonly<EndpointSlice>>(kind: RefusedObject['kind'], list: readonly T[], problem: (o: T) => string | undefined): T[] =>
    list.filter((o) => {
      const reason = problem(o);
      if (reason) refused.push({ kind, namespace: o.metadata?.namespace, name: o.metadata?.name, reason });
      return !reason;
    });
  const nodeIPs: string[] = [];
  for (const a of input.nodeIPs) {
    const ip = parseIP(a);
    if (ip) nodeIPs.push(ip.text);
    else refused.push({ kind: 'NodeAddress', name: input.nodeName, reason: `not an IP address: ${JSON.stringify(a)}` });
  }
  return {
    input: {
      ...input,
      services: keep('Service', input.services, serviceProblem),
      endpointSlices: keep('EndpointSlice', input.endpointSlices, endpointSliceProblem),
      nodeIPs,
      clusterCidr: cidrOrThrow('the cluster CIDR', input.clusterCidr),
      serviceCidr: cidrOrThrow('the service CIDR', input.serviceCidr),
    },
    refused,
  };
}
