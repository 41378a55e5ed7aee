/** core/v1 Service: DNS-1035 names, ClusterIP/None defaults, port rules and the kubectl table. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNS1035Label } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { PROTOCOLS } from './container.js';
import { validateService, validateServiceUpdate } from './service-validation.js';

const V1 = 'io.k8s.api.core.v1';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

export const servicePortSchema = s.object({
  name: s.string("The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names. When considering the endpoints for a Service, this must match the 'name' field in the EndpointPort. Optional if only one ServicePort is defined on this service."),
  protocol: s.string({ description: 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.\n\nPossible enum values:\n - `"SCTP"` is the SCTP protocol.\n - `"TCP"` is the TCP protocol.\n - `"UDP"` is the UDP protocol.', enum: PROTOCOLS, default: 'TCP' }),
  appProtocol: s.string('The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand. This field follows standard Kubernetes label syntax.'),
  port: s.int('The port that will be exposed by this service.'),
  targetPort: s.intOrString("Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). This field is ignored for services with clusterIP=None, and should be omitted or set equal to the 'port' field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"),
  nodePort: s.int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.  Usually assigned by the system. If a value is specified, in-range, and not in use it will be used, otherwise the operation will fail. More info: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'),
}, { name: `${V1}.ServicePort`, required: ['port'], description: "ServicePort contains information on service's port." });

export const serviceSpecSchema = s.object({
  ports: s.array(servicePortSchema, { description: 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies', patchMergeKey: 'port', patchStrategy: 'merge', listType: 'map', listMapKeys: ['port', 'protocol'] }),
  selector: { ...s.stringMap('Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/'), mapType: 'atomic' as const },
  clusterIP: s.string('clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName. Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP). More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
  clusterIPs: s.strings('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly. This field may hold a maximum of two entries (dual-stack IPs, in any order).'),
  type: s.string({ description: 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types\n\nPossible enum values:\n - `"ClusterIP"` means a service will only be accessible inside the cluster, via the cluster IP.\n - `"ExternalName"` means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.\n - `"LoadBalancer"` means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to \'NodePort\' type.\n - `"NodePort"` means a service will be exposed on one port of every node, in addition to \'ClusterIP\' type.', enum: SERVICE_TYPES, default: 'ClusterIP' }),
  externalIPs: s.strings('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.'),
  sessionAffinity: s.string({ description: 'Supports "ClientIP" and "None". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies', enum: ['ClientIP', 'None'], default: 'None' }),
  loadBalancerIP: s.string('Only applies to Service Type: LoadBalancer. Deprecated.'),
  loadBalancerSourceRanges: s.strings('If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.'),
  externalName: s.string('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). No proxying will be involved.  Must be a lowercase RFC-1123 hostname (https://tools.ietf.org/html/rfc1123) and requires `type` to be "ExternalName".'),
  externalTrafficPolicy: s.string({ description: 'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).', enum: ['Cluster', 'Local'] }),
  healthCheckNodePort: s.int('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
  publishNotReadyAddresses: s.bool("publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready."),
  sessionAffinityConfig: s.object({ clientIP: s.object({ timeoutSeconds: s.int('timeoutSeconds specifies the seconds of ClientIP type session sticky time.') }, 'clientIP contains the configurations of Client IP based session affinity.') }, { name: `${V1}.SessionAffinityConfig`, description: 'sessionAffinityConfig contains the configurations of session affinity.' }),
  ipFamilies: s.array(s.string({ enum: ['', 'IPv4', 'IPv6'] }), { description: 'IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.', listType: 'atomic' }),
  ipFamilyPolicy: s.string({ description: 'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.', enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'] }),
  allocateLoadBalancerNodePorts: s.bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.  Default is "true".'),
  loadBalancerClass: s.string('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
  internalTrafficPolicy: s.string({ description: 'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to "Local", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints. The default value, "Cluster", uses the standard behavior of routing to all endpoints evenly.', enum: ['Cluster', 'Local'] }),
  trafficDistribution: s.string('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
}, { name: `${V1}.ServiceSpec`, description: 'ServiceSpec describes the attributes that a user creates on a service.' });

const loadBalancerIngressSchema = s.loose({
  ip: s.string('IP is set for load-balancer ingress points that are IP based'),
  hostname: s.string('Hostname is set for load-balancer ingress points that are DNS based'),
  ipMode: s.string('IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified. Setting this to "VIP" indicates that traffic is delivered to the node with the destination set to the load-balancer\'s IP and port. Setting this to "Proxy" indicates that traffic is delivered to the node or pod with the destination set to the node\'s IP and node port or the pod\'s IP and port.'),
  ports: s.array(s.object({
    port: s.int('Port is the port number of the service port of which status is recorded here'),
    protocol: s.string({ description: 'Protocol is the protocol of the service port of which status is recorded here The supported values are: "TCP", "UDP", "SCTP"\n\nPossible enum values:\n - `"SCTP"` is the SCTP protocol.\n - `"TCP"` is the TCP protocol.\n - `"UDP"` is the UDP protocol.', enum: ['SCTP', 'TCP', 'UDP'] }),
    error: s.string('Error is to record the problem with the service port'),
  }, { name: `${V1}.PortStatus`, required: ['port', 'protocol'], description: 'PortStatus represents the error condition of a service port' }), { description: 'Ports is a list of records of service ports If used, every port defined in the service should have an entry in it', listType: 'atomic' }),
}, { name: `${V1}.LoadBalancerIngress`, description: 'LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.' });

export const serviceStatusSchema = s.object({
  loadBalancer: s.object({
    ingress: s.array(loadBalancerIngressSchema, { description: 'Ingress is a list containing ingress points for the load-balancer.', listType: 'atomic' }),
  }, { name: `${V1}.LoadBalancerStatus`, description: 'LoadBalancer contains the current status of the load-balancer, if one is present.' }),
  conditions: s.array(s.loose({ type: s.string('type of condition in CamelCase or in foo.example.com/CamelCase.'), status: s.string('status of the condition, one of True, False, Unknown.') }), { description: 'Current service state', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${V1}.ServiceStatus`, description: 'ServiceStatus represents the current status of a service.' });

export const serviceSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...serviceSpecSchema, description: 'Spec defines the behavior of a service. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', default: {} },
  status: { ...serviceStatusSchema, description: 'Most recently observed status of the service. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${V1}.Service`, gvk: gvk('', 'v1', 'Service'), description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.' });

export type Service = Infer<typeof serviceSchema> & { metadata: ObjectMeta };
export type ServiceSpec = Infer<typeof serviceSpecSchema>;
export type ServicePort = Infer<typeof servicePortSchema>;

/** SetDefaults_Service: targetPort = port, traffic policies by type. */
function defaultService(svc: Service): void {
  const spec = svc.spec;
  if (!spec) return;
  for (const p of spec.ports ?? []) {
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  // SetDefaults_Service: no affinity drops its config (so switching ClientIP -> None by an update of
  // the read object works); ClientIP affinity without a timeout gets DefaultClientIPServiceAffinitySeconds (3 h).
  if ((spec.sessionAffinity ?? 'None') === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  svc.status ??= { loadBalancer: {} };
  svc.status.loadBalancer ??= {};
}

/** printService's EXTERNAL-IP and PORT(S) cells. */
function serviceCells(svc: Service): unknown[] {
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const clusterIP = spec.clusterIPs?.[0] || NONE;
  let external: string;
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean) as string[];
  switch (type) {
    case 'ClusterIP':
      external = spec.externalIPs?.length ? spec.externalIPs.join(',') : NONE;
      break;
    case 'NodePort':
      external = spec.externalIPs?.length ? spec.externalIPs.join(',') : NONE;
      break;
    case 'LoadBalancer': {
      const all = [...lbIPs, ...(spec.externalIPs ?? [])];
      external = all.length ? all.join(',') : '<pending>';
      break;
    }
    case 'ExternalName':
      external = spec.externalName ?? '';
      break;
    default:
      external = '<unknown>';
  }
  const ports = (spec.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
  const selector = Object.keys(spec.selector ?? {}).sort().map((k) => `${k}=${spec.selector![k]}`).join(',');
  return [type, clusterIP, external, ports || NONE, selector || NONE];
}

export const services = defineKind<Service>({
  group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'proxy'],
  schema: serviceSchema, nameValidator: nameIsDNS1035Label,
  defaults: defaultService,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  hasStatusSubresource: true,
  columns: [
    col('Type', 'string', 'The type of the service.'),
    col('Cluster-IP', 'string', 'The IP address of the service.'),
    col('External-IP', 'string', 'The external IP address of the service.'),
    col('Port(s)', 'string', 'The ports of the service.'),
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', true),
  ],
  cells: serviceCells,
});
