/** core/v1 Endpoints. */
import type { ObjectMeta } from '../../meta.js';
import { isValidPort, PORT_RANGE, validateIP } from '../../net/validation.js';
import { s } from '../../schema/builders.js';
import { fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { PROTOCOLS } from './container.js';
import { objectReferenceSchema } from './service-account.js';

const V1 = 'io.k8s.api.core.v1';

export const endpointAddressSchema = s.object({
  ip: s.string('The IP of this endpoint. May not be loopback (127.0.0.0/8 or ::1), link-local (169.254.0.0/16 or fe80::/10), or link-local multicast (224.0.0.0/24 or ff02::/16).'),
  hostname: s.string('The Hostname of this endpoint'),
  nodeName: s.string('Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.'),
  targetRef: { ...objectReferenceSchema, description: 'Reference to object providing the endpoint.' },
}, { name: `${V1}.EndpointAddress`, required: ['ip'], mapType: 'atomic', description: 'EndpointAddress is a tuple that describes single IP address.' });

export const endpointPortSchema = s.object({
  name: s.string("The name of this port.  This must match the 'name' field in the corresponding ServicePort. Must be a DNS_LABEL. Optional only if one port is defined."),
  port: s.int('The port number of the endpoint.'),
  protocol: s.string({ description: 'The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.', enum: PROTOCOLS, default: 'TCP' }),
  appProtocol: s.string('The application protocol for this port.'),
}, { name: 'io.k8s.api.core.v1.EndpointPort', required: ['port'], mapType: 'atomic', description: 'EndpointPort is a tuple that describes a single port.' });

export const endpointSubsetSchema = s.object({
  addresses: s.array(endpointAddressSchema, { description: 'IP addresses which offer the related ports that are marked as ready. These endpoints should be considered safe for load balancers and clients to utilize.', listType: 'atomic' }),
  notReadyAddresses: s.array(endpointAddressSchema, { description: 'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.', listType: 'atomic' }),
  ports: s.array(endpointPortSchema, { description: 'Port numbers available on the related IP addresses.', listType: 'atomic' }),
}, { name: `${V1}.EndpointSubset`, description: 'EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports.' });

export const endpointsSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  subsets: s.array(endpointSubsetSchema, { description: 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share.', listType: 'atomic' }),
}, { name: `${V1}.Endpoints`, gvk: gvk('', 'v1', 'Endpoints'), description: 'Endpoints is a collection of endpoints that implement the actual service.' });

export type Endpoints = Infer<typeof endpointsSchema> & { metadata: ObjectMeta };
export type EndpointSubset = Infer<typeof endpointSubsetSchema>;
export type EndpointAddress = Infer<typeof endpointAddressSchema>;

/** formatEndpoints: `ip:port` pairs, at most 3 then ` + N more...`. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return NONE;
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const ports = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      for (const addr of ss.addresses ?? []) {
        if (list.length < max) list.push(port ? `${addr.ip.includes(':') ? `[${addr.ip}]` : addr.ip}:${port.port}` : addr.ip);
        else more = true;
        count++;
      }
    }
  }
  let ret = list.join(',');
  if (more) ret += ` + ${count - max} more...`;
  return ret;
}

/**
 * ValidateEndpoints' subsets (pkg/apis/core/validation, 1.32): addresses are IPs, ports are ports.
 * Upstream also refuses special addresses (ValidateNonSpecialIP); Bosun's own `kubernetes` Endpoints
 * carries the API server's bind address, loopback in single-machine and test setups, so that rule is
 * left out here (no proxy reads v1 Endpoints; EndpointSlices are what reach a ruleset).
 */
function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = index('subsets', i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(fe.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (ss[list] ?? []).forEach((a, j) => {
        const p = `${index(`${path}.${list}`, j)}.ip`;
        errs.push(...validateIP(p, a.ip));
        if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(fe.invalid(`${index(`${path}.${list}`, j)}.hostname`, a.hostname, m));
        if (a.nodeName !== undefined) for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(fe.invalid(`${index(`${path}.${list}`, j)}.nodeName`, a.nodeName, m));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => {
      const pp = index(`${path}.ports`, j);
      if (ports.length > 1 && !p.name) errs.push(fe.required(`${pp}.name`));
      else if (p.name) for (const m of isDNS1123Label(p.name)) errs.push(fe.invalid(`${pp}.name`, p.name, m));
      if (!isValidPort(p.port)) errs.push(fe.invalid(`${pp}.port`, p.port, PORT_RANGE));
    });
  });
  return errs;
}

export const endpoints = defineKind<Endpoints>({
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'],
  schema: endpointsSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateEndpoints,
  columns: [col('Endpoints', 'string', 'Endpoints is the list of endpoints.')],
  cells: (ep) => [formatEndpoints(ep)],
});
