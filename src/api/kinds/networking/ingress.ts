/**
 * networking.k8s.io/v1 Ingress as upstream v1.32: the schema with staging/src/k8s.io/api/networking/v1
 * types.go's descriptions, a /status subresource, generation tracking (the ingress strategy bumps it
 * on spec changes), validation in ./ingress-validation.ts, and printIngress's columns: NAME, CLASS,
 * HOSTS, ADDRESS, PORTS, AGE. Nodes started with --ingress-http-port run Bosun's own controller
 * (src/ingress, class `bosun`); any other controller a cluster installs acts on its own classes.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, NONE } from '../../table/columns.js';
import { typedLocalObjectReferenceSchema } from '../core/persistent-volume-claim.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { validateIngress } from './ingress-validation.js';

const NET = 'io.k8s.api.networking.v1';
/** PathType values, sorted as validateHTTPIngressPath's supportedPathTypes.List() lists them. */
export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;

export const serviceBackendPortSchema = s.object({
  name: s.string('name is the name of the port on the Service. This is a mutually exclusive setting with "Number".'),
  number: s.int('number is the numerical port number (e.g. 80) on the Service. This is a mutually exclusive setting with "Name".'),
}, { name: `${NET}.ServiceBackendPort`, mapType: 'atomic', description: 'ServiceBackendPort is the service port being referenced.' });

export const ingressServiceBackendSchema = s.object({
  name: s.string('name is the referenced service. The service must exist in the same namespace as the Ingress object.'),
  port: { ...serviceBackendPortSchema, description: 'port of the referenced service. A port name or port number is required for a IngressServiceBackend.' },
}, { name: `${NET}.IngressServiceBackend`, required: ['name'], description: 'IngressServiceBackend references a Kubernetes Service as a Backend.' });

export const ingressBackendSchema = s.object({
  resource: { ...typedLocalObjectReferenceSchema, description: 'resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object. If resource is specified, a service.Name and service.Port must not be specified. This is a mutually exclusive setting with "Service".' },
  service: { ...ingressServiceBackendSchema, description: 'service references a service as a backend. This is a mutually exclusive setting with "Resource".' },
}, { name: `${NET}.IngressBackend`, description: 'IngressBackend describes all endpoints for a given service and port.' });

const PATH_TYPE_ENUM_TEXT = '\n\nPossible enum values:\n - `"Exact"` matches the URL path exactly and with case sensitivity.\n - `"ImplementationSpecific"` matching is up to the IngressClass. Implementations can treat this as a separate PathType or treat it identically to Prefix or Exact path types.\n - `"Prefix"` matches based on a URL path prefix split by \'/\'. Matching is case sensitive and done on a path element by element basis. A path element refers to the list of labels in the path split by the \'/\' separator. A request is a match for path p if every p is an element-wise prefix of p of the request path. Note that if the last element of the path is a substring of the last element in request path, it is not a match (e.g. /foo/bar matches /foo/bar/baz, but does not match /foo/barbaz). If multiple matching paths exist in an Ingress spec, the longest matching path is given priority. Examples: - /foo/bar does not match requests to /foo/barbaz - /foo/bar matches request to /foo/bar and /foo/bar/baz - /foo and /foo/ both match requests to /foo and /foo/. If both paths are present in an Ingress spec, the longest matching path (/foo/) is given priority.';

export const httpIngressPathSchema = s.object({
  path: s.string('path is matched against the path of an incoming request. Currently it can contain characters disallowed from the conventional "path" part of a URL as defined by RFC 3986. Paths must begin with a \'/\' and must be present when using PathType with value "Exact" or "Prefix".'),
  // Required upstream (OpenAPI); validateHTTPIngressPath words its absence itself ("pathType must be specified").
  pathType: s.string({ description: "pathType determines the interpretation of the path matching. PathType can be one of the following values: * Exact: Matches the URL path exactly. * Prefix: Matches based on a URL path prefix split by '/'. Matching is   done on a path element by element basis. A path element refers is the   list of labels in the path split by the '/' separator. A request is a   match for path p if every p is an element-wise prefix of p of the   request path. Note that if the last element of the path is a substring   of the last element in request path, it is not a match (e.g. /foo/bar   matches /foo/bar/baz, but does not match /foo/barbaz). * ImplementationSpecific: Interpretation of the Path matching is up to   the IngressClass. Implementations can treat this as a separate PathType   or treat it identically to Prefix or Exact path types. Implementations are required to support all path types." + PATH_TYPE_ENUM_TEXT, enum: PATH_TYPES }),
  backend: { ...ingressBackendSchema, description: 'backend defines the referenced service endpoint to which the traffic will be forwarded to.' },
}, { name: `${NET}.HTTPIngressPath`, required: ['backend'], description: 'HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the backend.' });

export const httpIngressRuleValueSchema = s.object({
  paths: s.array(httpIngressPathSchema, { description: 'paths is a collection of paths that map requests to backends.', listType: 'atomic' }),
}, { name: `${NET}.HTTPIngressRuleValue`, required: ['paths'], description: "HTTPIngressRuleValue is a list of http selectors pointing to backends. In the example: http://<host>/<path>?<searchpart> -> backend where where parts of the url correspond to RFC 3986, this resource will be used to match against everything after the last '/' and before the first '?' or '#'." });

export const ingressRuleSchema = s.object({
  host: s.string("host is the fully qualified domain name of a network host, as defined by RFC 3986. Note the following deviations from the \"host\" part of the URI as defined in RFC 3986: 1. IPs are not allowed. Currently an IngressRuleValue can only apply to    the IP in the Spec of the parent Ingress. 2. The `:` delimiter is not respected because ports are not allowed.    Currently the port of an Ingress is implicitly :80 for http and    :443 for https. Both these may change in the future. Incoming requests are matched against the host before the IngressRuleValue. If the host is unspecified, the Ingress routes all traffic based on the specified IngressRuleValue.  host can be \"precise\" which is a domain name without the terminating dot of a network host (e.g. \"foo.bar.com\") or \"wildcard\", which is a domain name prefixed with a single wildcard label (e.g. \"*.foo.com\"). The wildcard character '*' must appear by itself as the first DNS label and matches only a single label. You cannot have a wildcard label by itself (e.g. Host == \"*\"). Requests will be matched against the Host field in the following way: 1. If host is precise, the request matches this rule if the http host header is equal to Host. 2. If host is a wildcard, then the request matches this rule if the http host header is to equal to the suffix (removing the first label) of the wildcard rule."),
  http: httpIngressRuleValueSchema,
}, { name: `${NET}.IngressRule`, description: 'IngressRule represents the rules mapping the paths under a specified host to the related backend services. Incoming requests are first evaluated for a host match, then routed to the backend associated with the matching IngressRuleValue.' });

export const ingressTLSSchema = s.object({
  hosts: s.strings({ description: 'hosts is a list of hosts included in the TLS certificate. The values in this list must match the name/s used in the tlsSecret. Defaults to the wildcard host setting for the loadbalancer controller fulfilling this Ingress, if left unspecified.', listType: 'atomic' }),
  secretName: s.string('secretName is the name of the secret used to terminate TLS traffic on port 443. Field is left optional to allow TLS routing based on SNI hostname alone. If the SNI host in a listener conflicts with the "Host" header field used by an IngressRule, the SNI host is used for termination and value of the "Host" header is used for routing.'),
}, { name: `${NET}.IngressTLS`, description: 'IngressTLS describes the transport layer security associated with an ingress.' });

export const ingressSpecSchema = s.object({
  ingressClassName: s.string('ingressClassName is the name of an IngressClass cluster resource. Ingress controller implementations use this field to know whether they should be serving this Ingress resource, by a transitive connection (controller -> IngressClass -> Ingress resource). Although the `kubernetes.io/ingress.class` annotation (simple constant name) was never formally defined, it was widely supported by Ingress controllers to create a direct binding between Ingress controller and Ingress resources. Newly created Ingress resources should prefer using the field. However, even though the annotation is officially deprecated, for backwards compatibility reasons, ingress controllers should still honor that annotation if present.'),
  defaultBackend: { ...ingressBackendSchema, description: "defaultBackend is the backend that should handle requests that don't match any rule. If Rules are not specified, DefaultBackend must be specified. If DefaultBackend is not set, the handling of requests that do not match any of the rules will be up to the Ingress controller." },
  tls: s.array(ingressTLSSchema, { description: 'tls represents the TLS configuration. Currently the Ingress only supports a single TLS port, 443. If multiple members of this list specify different hosts, they will be multiplexed on the same port according to the hostname specified through the SNI TLS extension, if the ingress controller fulfilling the ingress supports SNI.', listType: 'atomic' }),
  rules: s.array(ingressRuleSchema, { description: 'rules is a list of host rules used to configure the Ingress. If unspecified, or no rule matches, all traffic is sent to the default backend.', listType: 'atomic' }),
}, { name: `${NET}.IngressSpec`, description: 'IngressSpec describes the Ingress the user wishes to exist.' });

const ingressPortStatusSchema = s.object({
  port: s.int('port is the port number of the ingress port.'),
  protocol: s.string({ description: 'protocol is the protocol of the ingress port. The supported values are: "TCP", "UDP", "SCTP"\n\nPossible enum values:\n - `"SCTP"` is the SCTP protocol.\n - `"TCP"` is the TCP protocol.\n - `"UDP"` is the UDP protocol.', enum: ['SCTP', 'TCP', 'UDP'] }),
  error: s.string("error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use   CamelCase names - cloud provider specific error values must have names that comply with the   format foo.example.com/CamelCase."),
}, { name: `${NET}.IngressPortStatus`, required: ['port', 'protocol'], description: 'IngressPortStatus represents the error condition of a service port' });

const ingressLoadBalancerIngressSchema = s.object({
  ip: s.string('ip is set for load-balancer ingress points that are IP based.'),
  hostname: s.string('hostname is set for load-balancer ingress points that are DNS based.'),
  ports: s.array(ingressPortStatusSchema, { description: 'ports provides information about the ports exposed by this LoadBalancer.', listType: 'atomic' }),
}, { name: `${NET}.IngressLoadBalancerIngress`, description: 'IngressLoadBalancerIngress represents the status of a load-balancer ingress point.' });

export const ingressStatusSchema = s.object({
  loadBalancer: s.object({
    ingress: s.array(ingressLoadBalancerIngressSchema, { description: 'ingress is a list containing ingress points for the load-balancer.', listType: 'atomic' }),
  }, { name: `${NET}.IngressLoadBalancerStatus`, description: 'loadBalancer contains the current status of the load-balancer.' }),
}, { name: `${NET}.IngressStatus`, description: 'IngressStatus describe the current state of the Ingress.' });

export const ingressSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...ingressSpecSchema, description: 'spec is the desired state of the Ingress. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...ingressStatusSchema, description: 'status is the current state of the Ingress. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${NET}.Ingress`, gvk: gvk('networking.k8s.io', 'v1', 'Ingress'), description: 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend. An Ingress can be configured to give services externally-reachable urls, load balance traffic, terminate SSL, offer name based virtual hosting etc.' });

export type Ingress = Infer<typeof ingressSchema> & { metadata: ObjectMeta };
export type IngressSpec = Infer<typeof ingressSpecSchema>;

/** formatHosts as printers.go: up to three hosts, `*` when none, "+ N more..." (rules past three) when cut. */
function formatHosts(rules: readonly { host?: string }[]): string {
  const MAX = 3;
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === MAX) more = true;
    if (!more && r.host) hosts.push(r.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - MAX} more...` : hosts.join(',');
}

/** ingressLoadBalancerStatusStringer (server-side tables print wide): IPs or hostnames, sorted and unique. */
function formatAddress(ing: Ingress): string {
  const set = new Set((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter((a): a is string => !!a));
  return [...set].sort().join(',');
}

export const ingresses = defineKind<Ingress>({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'],
  subresources: ['status'],
  schema: ingressSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateIngress,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
  ],
  cells: (ing) => [ing.spec?.ingressClassName ?? NONE, formatHosts(ing.spec?.rules ?? []), formatAddress(ing), (ing.spec?.tls ?? []).length ? '80, 443' : '80'],
  protobufMessage: 'k8s.io.api.networking.v1.Ingress',
});
