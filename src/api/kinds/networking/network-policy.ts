/**
 * networking.k8s.io/v1 NetworkPolicy as upstream v1.32: SetDefaults_NetworkPolicy (policyTypes
 * [Ingress], plus Egress when egress rules exist) and SetDefaults_NetworkPolicyPort (protocol TCP),
 * ValidateNetworkPolicySpec (pkg/apis/networking/validation: selectors, ports and port ranges,
 * peers, ipBlock cidr/except, policyTypes) and printNetworkPolicy's columns (NAME, POD-SELECTOR,
 * AGE). Nodes enforce policies (src/network-policy).
 */
import type { ObjectMeta } from '../../meta.js';
import { cidrContains, parseCIDR } from '../../net/cidr.js';
import { isValidPort, PORT_RANGE } from '../../net/validation.js';
import { s } from '../../schema/builders.js';
import { child, fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { formatLabelSelector, labelSelectorSchema, validateLabelSelector } from '../meta/label-selector.js';
import { isValidPortName, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const NET = 'io.k8s.api.networking.v1';
/** ValidateNetworkPolicyPort lists the protocols in this order. */
const NP_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const POLICY_TYPES = ['Ingress', 'Egress'] as const;

const PROTOCOL_ENUM_TEXT = '\n\nPossible enum values:\n - `"SCTP"` is the SCTP protocol.\n - `"TCP"` is the TCP protocol.\n - `"UDP"` is the UDP protocol.';

export const networkPolicyPortSchema = s.object({
  protocol: s.string({ description: `protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP.${PROTOCOL_ENUM_TEXT}`, enum: NP_PROTOCOLS, default: 'TCP' }),
  port: s.intOrString('port represents the port on the given protocol. This can either be a numerical or named port on a pod. If this field is not provided, this matches all port names and numbers. If present, only traffic on the specified protocol AND port will be matched.'),
  endPort: s.int('endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy. This field cannot be defined if the port field is not defined or if the port field is defined as a named (string) port. The endPort must be equal or greater than port.'),
}, { name: `${NET}.NetworkPolicyPort`, description: 'NetworkPolicyPort describes a port to allow traffic on' });

export const ipBlockSchema = s.object({
  cidr: s.string('cidr is a string representing the IPBlock Valid examples are "192.168.1.0/24" or "2001:db8::/64"'),
  except: s.strings({ description: 'except is a slice of CIDRs that should not be included within an IPBlock Valid examples are "192.168.1.0/24" or "2001:db8::/64" Except values will be rejected if they are outside the cidr range', listType: 'atomic' }),
}, { name: `${NET}.IPBlock`, required: ['cidr'], description: 'IPBlock describes a particular CIDR (Ex. "192.168.1.0/24","2001:db8::/64") that is allowed to the pods matched by a NetworkPolicySpec\'s podSelector. The except entry describes CIDRs that should not be included within this rule.' });

export const networkPolicyPeerSchema = s.object({
  podSelector: { ...labelSelectorSchema, description: "podSelector is a label selector which selects pods. This field follows standard label selector semantics; if present but empty, it selects all pods.\n\nIf namespaceSelector is also set, then the NetworkPolicyPeer as a whole selects the pods matching podSelector in the Namespaces selected by NamespaceSelector. Otherwise it selects the pods matching podSelector in the policy's own namespace." },
  namespaceSelector: { ...labelSelectorSchema, description: 'namespaceSelector selects namespaces using cluster-scoped labels. This field follows standard label selector semantics; if present but empty, it selects all namespaces.\n\nIf podSelector is also set, then the NetworkPolicyPeer as a whole selects the pods matching podSelector in the namespaces selected by namespaceSelector. Otherwise it selects all pods in the namespaces selected by namespaceSelector.' },
  ipBlock: { ...ipBlockSchema, description: 'ipBlock defines policy on a particular IPBlock. If this field is set then neither of the other fields can be.' },
}, { name: `${NET}.NetworkPolicyPeer`, description: 'NetworkPolicyPeer describes a peer to allow traffic to/from. Only certain combinations of fields are allowed' });

export const networkPolicyIngressRuleSchema = s.object({
  ports: s.array(networkPolicyPortSchema, { description: 'ports is a list of ports which should be made accessible on the pods selected for this rule. Each item in this list is combined using a logical OR. If this field is empty or missing, this rule matches all ports (traffic not restricted by port). If this field is present and contains at least one item, then this rule allows traffic only if the traffic matches at least one port in the list.', listType: 'atomic' }),
  from: s.array(networkPolicyPeerSchema, { description: 'from is a list of sources which should be able to access the pods selected for this rule. Items in this list are combined using a logical OR operation. If this field is empty or missing, this rule matches all sources (traffic not restricted by source). If this field is present and contains at least one item, this rule allows traffic only if the traffic matches at least one item in the from list.', listType: 'atomic' }),
}, { name: `${NET}.NetworkPolicyIngressRule`, description: "NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector. The traffic must match both ports and from." });

export const networkPolicyEgressRuleSchema = s.object({
  ports: s.array(networkPolicyPortSchema, { description: 'ports is a list of destination ports for outgoing traffic. Each item in this list is combined using a logical OR. If this field is empty or missing, this rule matches all ports (traffic not restricted by port). If this field is present and contains at least one item, then this rule allows traffic only if the traffic matches at least one port in the list.', listType: 'atomic' }),
  to: s.array(networkPolicyPeerSchema, { description: 'to is a list of destinations for outgoing traffic of pods selected for this rule. Items in this list are combined using a logical OR operation. If this field is empty or missing, this rule matches all destinations (traffic not restricted by destination). If this field is present and contains at least one item, this rule allows traffic only if the traffic matches at least one item in the to list.', listType: 'atomic' }),
}, { name: `${NET}.NetworkPolicyEgressRule`, description: "NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector. The traffic must match both ports and to. This type is beta-level in 1.8" });

export const networkPolicySpecSchema = s.object({
  podSelector: { ...labelSelectorSchema, description: "podSelector selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace." },
  ingress: s.array(networkPolicyIngressRuleSchema, { description: "ingress is a list of ingress rules to be applied to the selected pods. Traffic is allowed to a pod if there are no NetworkPolicies selecting the pod (and cluster policy otherwise allows the traffic), OR if the traffic source is the pod's local node, OR if the traffic matches at least one ingress rule across all of the NetworkPolicy objects whose podSelector matches the pod. If this field is empty then this NetworkPolicy does not allow any traffic (and serves solely to ensure that the pods it selects are isolated by default)", listType: 'atomic' }),
  egress: s.array(networkPolicyEgressRuleSchema, { description: 'egress is a list of egress rules to be applied to the selected pods. Outgoing traffic is allowed if there are no NetworkPolicies selecting the pod (and cluster policy otherwise allows the traffic), OR if the traffic matches at least one egress rule across all of the NetworkPolicy objects whose podSelector matches the pod. If this field is empty then this NetworkPolicy limits all outgoing traffic (and serves solely to ensure that the pods it selects are isolated by default). This field is beta-level in 1.8', listType: 'atomic' }),
  policyTypes: s.array(s.string({ enum: POLICY_TYPES }), { description: 'policyTypes is a list of rule types that the NetworkPolicy relates to. Valid options are ["Ingress"], ["Egress"], or ["Ingress", "Egress"]. If this field is not specified, it will default based on the existence of ingress or egress rules; policies that contain an egress section are assumed to affect egress, and all policies (whether or not they contain an ingress section) are assumed to affect ingress. If you want to write an egress-only policy, you must explicitly specify policyTypes [ "Egress" ]. Likewise, if you want to write a policy that specifies that no egress is allowed, you must specify a policyTypes value that include "Egress" (since such a policy would not include an egress section and would otherwise default to just [ "Ingress" ]). This field is beta-level in 1.8', listType: 'atomic' }),
}, { name: `${NET}.NetworkPolicySpec`, description: 'NetworkPolicySpec provides the specification of a NetworkPolicy' });

export const networkPolicySchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...networkPolicySpecSchema, description: 'spec represents the specification of the desired behavior for this NetworkPolicy.' },
}, { name: `${NET}.NetworkPolicy`, gvk: gvk('networking.k8s.io', 'v1', 'NetworkPolicy'), description: 'NetworkPolicy describes what network traffic is allowed for a set of Pods' });

export type NetworkPolicy = Infer<typeof networkPolicySchema> & { metadata: ObjectMeta };
type Port = Infer<typeof networkPolicyPortSchema>;
type Peer = Infer<typeof networkPolicyPeerSchema>;
type IPBlock = Infer<typeof ipBlockSchema>;

/**
 * SetDefaults_NetworkPolicy (the ports' protocol TCP is the schema's default). spec and
 * spec.podSelector are Go structs, not pointers: upstream decodes a body without them as empty
 * (required in its OpenAPI, never checked by its validation), so a policy without a podSelector
 * selects every pod of its namespace, as there.
 */
function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = (np.spec ??= {});
  spec.podSelector ??= {};
  if ((spec.policyTypes ?? []).length > 0) return;
  spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** ValidateNetworkPolicyPort. */
function validatePort(port: Port, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = port.port;
  const end = port.endPort;
  if (typeof p === 'number') {
    if (!isValidPort(p)) errs.push(fe.invalid(child(path, 'port'), p, PORT_RANGE));
    if (end !== undefined) {
      if (end < p) errs.push(fe.invalid(child(path, 'endPort'), end, 'must be greater than or equal to `port`'));
      if (!isValidPort(end)) errs.push(fe.invalid(child(path, 'endPort'), end, PORT_RANGE));
    }
  } else if (typeof p === 'string') {
    if (end !== undefined) errs.push(fe.invalid(child(path, 'endPort'), end, 'may not be specified when `port` is non-numeric'));
    for (const m of isValidPortName(p)) errs.push(fe.invalid(child(path, 'port'), p, m));
  } else if (end !== undefined) {
    errs.push(fe.invalid(child(path, 'endPort'), end, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

/** ValidateIPBlock as v1.32: cidr and each except a CIDR, each except a strict subset of cidr. */
function validateIPBlock(ipb: IPBlock, path: string): FieldError[] {
  const cidr = parseCIDR(ipb.cidr);
  if (!cidr) return [fe.invalid(child(path, 'cidr'), ipb.cidr, 'not a valid CIDR')];
  const errs: FieldError[] = [];
  for (const [i, text] of (ipb.except ?? []).entries()) {
    const p = index(child(path, 'except'), i);
    const except = parseCIDR(text);
    if (!except) return [...errs, fe.invalid(p, text, 'not a valid CIDR')];
    if (!cidrContains(cidr, except) || cidr.prefix >= except.prefix) errs.push(fe.invalid(p, text, 'must be a strict subset of `cidr`'));
  }
  return errs;
}

/** ValidateNetworkPolicyPeer: exactly a selector pair or an ipBlock. */
function validatePeer(peer: Peer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) { n++; errs.push(...validateLabelSelector(peer.podSelector, child(path, 'podSelector'))); }
  if (peer.namespaceSelector) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, child(path, 'namespaceSelector'))); }
  if (peer.ipBlock) { n++; errs.push(...validateIPBlock(peer.ipBlock, child(path, 'ipBlock'))); }
  if (n === 0) errs.push(fe.required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(fe.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

/** ValidateNetworkPolicySpec. */
function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  const spec = np.spec;
  if (!spec) return [];
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  const rules = (kind: 'ingress' | 'egress', peers: 'from' | 'to', list: { ports?: Port[]; from?: Peer[]; to?: Peer[] }[]) => list.forEach((rule, i) => {
    const rp = index(`spec.${kind}`, i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, index(child(rp, 'ports'), j))));
    (rule[peers] ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, index(child(rp, peers), j))));
  });
  rules('ingress', 'from', spec.ingress ?? []);
  rules('egress', 'to', spec.egress ?? []);
  const types = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) errs.push(fe.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  return errs;
}

export const networkPolicies = defineKind<NetworkPolicy>({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'],
  schema: networkPolicySchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultNetworkPolicy,
  validate: validateNetworkPolicy,
  tracksGeneration: true,
  columns: [col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.')],
  cells: (np) => [formatLabelSelector(np.spec?.podSelector)],
});
