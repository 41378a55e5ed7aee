/** discovery.k8s.io/v1 EndpointSlice. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { PROTOCOLS } from '../core/container.js';
import { objectReferenceSchema } from '../core/service-account.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { validateIPv4, validateIPv6 } from '../../net/validation.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const D = 'io.k8s.api.discovery.v1';

export const endpointConditionsSchema = s.object({
  ready: s.bool('ready indicates that this endpoint is ready to receive traffic, according to whatever system is managing the endpoint. A nil value should be interpreted as "true".'),
  serving: s.bool('serving indicates that this endpoint is able to receive traffic, according to whatever system is managing the endpoint. For endpoints backed by pods, the EndpointSlice controller will mark the endpoint as serving if the pod\'s Ready condition is True. A nil value should be interpreted as "true".'),
  terminating: s.bool('terminating indicates that this endpoint is terminating. A nil value should be interpreted as "false".'),
}, { name: `${D}.EndpointConditions`, description: 'EndpointConditions represents the current condition of an endpoint.' });

export const endpointSchema = s.object({
  addresses: s.array(s.string(), { description: 'addresses of this endpoint. For EndpointSlices of addressType "IPv4" or "IPv6", the values are IP addresses in canonical form. The syntax and semantics of other addressType values are not defined. This must contain at least one address but no more than 100.', listType: 'set' }),
  conditions: { ...endpointConditionsSchema, description: 'conditions contains information about the current status of the endpoint.' },
  hostname: s.string('hostname of this endpoint. This field may be used by consumers of endpoints to distinguish endpoints from each other (e.g. in DNS names).'),
  targetRef: { ...objectReferenceSchema, description: 'targetRef is a reference to a Kubernetes object that represents this endpoint.' },
  deprecatedTopology: s.stringMap('deprecatedTopology contains topology information part of the v1beta1 API. This field is deprecated, and will be removed when the v1beta1 API is removed (no sooner than kubernetes v1.24).'),
  nodeName: s.string('nodeName represents the name of the Node hosting this endpoint. This can be used to determine endpoints local to a Node.'),
  zone: s.string('zone is the name of the Zone this endpoint exists in.'),
  hints: s.object({
    forZones: s.array(s.object({ name: s.string('name represents the name of the zone.') }, { name: `${D}.ForZone`, required: ['name'], description: 'ForZone provides information about which zones should consume this endpoint.' }), { description: 'forZones indicates the zone(s) this endpoint should be consumed by when using topology aware routing. May contain a maximum of 8 entries.', listType: 'atomic' }),
    forNodes: s.array(s.object({ name: s.string('name represents the name of the node.') }, { name: `${D}.ForNode`, required: ['name'], description: 'ForNode provides information about which nodes should consume this endpoint.' }), { description: 'forNodes indicates the node(s) this endpoint should be consumed by when using topology aware routing.', listType: 'atomic' }),
  }, { name: `${D}.EndpointHints`, description: 'hints contains information associated with how an endpoint should be consumed.' }),
}, { name: `${D}.Endpoint`, required: ['addresses'], description: 'Endpoint represents a single logical "backend" implementing a service.' });

export const endpointSlicePortSchema = s.object({
  name: s.string({ description: 'name represents the name of this port. All ports in an EndpointSlice must have a unique name. If the EndpointSlice is derived from a Kubernetes service, this corresponds to the Service.ports[].name.', default: '' }),
  protocol: s.string({ description: 'protocol represents the IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.', enum: PROTOCOLS, default: 'TCP' }),
  port: s.int('port represents the port number of the endpoint. If the EndpointSlice is derived from a Kubernetes service, this must be set to the service\'s target port.'),
  appProtocol: s.string('The application protocol for this port.'),
}, { name: `${D}.EndpointPort`, mapType: 'atomic', description: 'EndpointPort represents a Port used by an EndpointSlice' });

export const endpointSliceSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  addressType: s.string({ description: 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.\n\nPossible enum values:\n - `"FQDN"` represents a FQDN.\n - `"IPv4"` represents an IPv4 Address.\n - `"IPv6"` represents an IPv6 Address.', enum: ['FQDN', 'IPv4', 'IPv6'] }),
  endpoints: s.array(endpointSchema, { description: 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.', listType: 'atomic' }),
  ports: s.array(endpointSlicePortSchema, { description: 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports.', listType: 'atomic' }),
}, { name: `${D}.EndpointSlice`, required: ['addressType', 'endpoints'], gvk: gvk('discovery.k8s.io', 'v1', 'EndpointSlice'), description: 'EndpointSlice represents a subset of the endpoints that implement a service. For a given service there may be multiple EndpointSlice objects, selected by labels, which must be joined to produce the full set of endpoints.' });

export type EndpointSlice = Infer<typeof endpointSliceSchema> & { metadata: ObjectMeta };
export type Endpoint = Infer<typeof endpointSchema>;
export type EndpointSlicePort = Infer<typeof endpointSlicePortSchema>;

/** listWithMoreString: at most 3 entries, then ` + N more...`; `<unset>` when empty. */
function listWithMore(items: string[], max = 3): string {
  const ret = items.slice(0, max).join(',');
  if (items.length > max) return `${ret} + ${items.length - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

const ADDRESS_CHECKS: Record<string, (path: string, value: string) => FieldError[]> = {
  IPv4: validateIPv4,
  IPv6: validateIPv6,
  FQDN: (path, value) => {
    const msgs = isDNS1123Subdomain(value);
    if (!value.includes('.')) msgs.push('should be a domain with at least two segments separated by dots');
    return msgs.map((m) => fe.invalid(path, value, m));
  },
};

/** ValidateEndpointSlice (pkg/apis/discovery/validation, 1.32): every address checked by addressType. */
function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  if (es.endpoints.length > 1000) errs.push(fe.tooMany('endpoints', es.endpoints.length, 1000));
  const check = ADDRESS_CHECKS[es.addressType];
  es.endpoints.forEach((ep, i) => {
    const path = index('endpoints', i);
    const n = ep.addresses.length;
    if (n === 0) errs.push(fe.required(`${path}.addresses`, 'must contain at least 1 address'));
    if (n > 100) errs.push(fe.tooMany(`${path}.addresses`, n, 100));
    if (check) ep.addresses.forEach((a, j) => errs.push(...check(index(`${path}.addresses`, j), a)));
    if (ep.nodeName !== undefined) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(fe.invalid(`${path}.nodeName`, ep.nodeName, m));
    if (ep.hostname !== undefined) for (const m of isDNS1123Label(ep.hostname)) errs.push(fe.invalid(`${path}.hostname`, ep.hostname, m));
  });
  const ports = es.ports ?? [];
  if (ports.length > 20000) return [...errs, fe.tooMany('ports', ports.length, 20000)];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const name = p.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(fe.invalid(`${index('ports', i)}.name`, name, m));
    if (names.has(name)) errs.push(fe.duplicate(`${index('ports', i)}.name`, name));
    names.add(name);
  });
  return errs;
}

export const endpointSlices = defineKind<EndpointSlice>({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
  schema: endpointSliceSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateEndpointSlice,
  validateUpdate: (es, old) => (es.addressType !== old.addressType ? [fe.invalid('addressType', es.addressType, 'field is immutable')] : []),
  tracksGeneration: true,
  columns: [
    col('AddressType', 'string', 'The IP protocol for this slice'),
    col('Ports', 'string', 'The ports encompassed by this slice'),
    col('Endpoints', 'string', 'The endpoints encompassed by this slice'),
  ],
  cells: (es) => [
    es.addressType,
    listWithMore((es.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ? p.name : '*'))),
    listWithMore(es.endpoints.flatMap((e) => e.addresses)),
  ],
});
