/**
 * The node authorizer (upstream plugin/pkg/auth/authorizer/node together with the system:node role
 * and the NodeRestriction admission plugin's request-time checks). A node identity is user
 * `system:node:<name>` in group `system:nodes`. It may:
 * - read nodes, services, endpoints, endpointslices, runtimeclasses and csidrivers (the service
 *   proxy, DNS and pod network of a Bosun node run under the node's identity and need them);
 * - get only pods bound to it, and list/watch pods only with fieldSelector spec.nodeName=<itself>
 *   (upstream's authorizePod with AuthorizeNodeWithSelectors, on by default in 1.32): another
 *   node's pod specs (env values, commands) are not its to read;
 * - read only the Secrets and ConfigMaps (get, or list/watch of one object by name through
 *   fieldSelector metadata.name=<name>), get only the PVCs and PVs, and create tokens only for the
 *   ServiceAccounts that pods bound to it reference (upstream's graph, node-graph.ts), with
 *   upstream's reasons ("no relationship found between node 'n1' and this object");
 * - evict pods bound to it (NodeRestriction's admitPodEviction);
 * - create a Node (the name is checked by node-restriction.ts), and update, patch or delete only its
 *   own Node and node status;
 * - create, read, update, patch and delete only its own Lease in kube-node-lease;
 * - update or patch the status of, and delete, only pods bound to it (spec.nodeName);
 * - create, update and patch events;
 * - create TokenReviews and SubjectAccessReviews, and create/get/list/watch
 *   CertificateSigningRequests (upstream's static NodeRules, not subdivided by node);
 * - (Bosun-specific) write its own DNS EndpointSlice `kube-system/kube-dns-<node>`: every node runs
 *   a cluster DNS server and publishes it as an endpoint of kube-dns (src/dns/dns-endpoint.ts);
 *   node-restriction.ts checks the slice's content (its endpoints name this node).
 * Everything else is denied.
 */
import { fieldSelectorEquals, type RequestAttributes } from './attributes.js';
import type { RelatedKind } from './node-graph.js';
import type { ResourceRule } from './rules.js';

/** An authorizer's answer; `reason` says why (upstream's SubjectAccessReviewStatus.reason). */
export type Decision = { allowed: true; reason?: string } | { allowed: false; reason?: string };

export interface NodeAuthorizerDeps {
  /** spec.nodeName of a pod; undefined when the pod does not exist (the request then gets its 404). */
  podNodeName(namespace: string, name: string): Promise<string | null | undefined>;
  /** Whether a pod bound to `node` references the object (node-graph.ts). */
  related(node: string, kind: RelatedKind, namespace: string | undefined, name: string): Promise<boolean>;
}

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, or undefined when the user is not a node identity. */
export function nodeNameOf(user: { name: string; groups: string[] }): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

const READ = new Set(['get', 'list', 'watch']);
const WRITE_OWN = new Set(['update', 'patch', 'delete']);

/** Readable resources by `group/resource`. */
const readable = new Set([
  '/nodes', '/services', '/endpoints',
  'discovery.k8s.io/endpointslices', 'node.k8s.io/runtimeclasses', 'storage.k8s.io/csidrivers',
]);

/** The EndpointSlice a node's DNS server publishes (src/dns/dns-endpoint.ts names it so). */
export const DNS_SLICE_NAMESPACE = 'kube-system';
export const dnsSliceName = (node: string): string => `kube-dns-${node}`.slice(0, 253);

const allow: Decision = { allowed: true };
const deny = (reason?: string): Decision => ({ allowed: false, reason });

/** Decides a request by node `node`. */
export async function authorizeNode(node: string, a: RequestAttributes, deps: NodeAuthorizerDeps): Promise<Decision> {
  const key = `${a.group}/${a.resource}`;
  const sub = a.subresource;
  if (key === '/nodes') return nodeRequest(node, a);
  if (key === 'coordination.k8s.io/leases') return leaseRequest(node, a);
  if (key === 'storage.k8s.io/csinodes') return csiNodeRequest(node, a);
  if ((key === '/events' || key === 'events.k8s.io/events') && !sub && ['create', 'update', 'patch'].includes(a.verb)) return allow;
  const graphKind = GRAPH_KINDS[key];
  if (graphKind) return graphRequest(node, graphKind, a, deps);
  if (key === '/pods' && a.name !== undefined && a.namespace !== undefined) {
    const statusWrite = sub === 'status' && (a.verb === 'update' || a.verb === 'patch');
    const deletion = !sub && a.verb === 'delete';
    const eviction = sub === 'eviction' && a.verb === 'create';
    if (statusWrite || deletion || eviction) {
      const bound = await deps.podNodeName(a.namespace, a.name);
      if (bound === undefined || bound === node) return allow;
      return deny(statusWrite
        ? `node '${node}' can only update pod status for pods with spec.nodeName set to itself`
        : eviction ? `node ${node} can only evict pods with spec.nodeName set to itself`
          : `node '${node}' can only delete pods with spec.nodeName set to itself`);
    }
  }
  if (key === '/pods' && !sub && READ.has(a.verb)) return podRead(node, a, deps);
  if (!sub && READ.has(a.verb) && readable.has(key)) return allow;
  if (key === 'discovery.k8s.io/endpointslices' && !sub) return dnsSliceRequest(node, a);
  // Not subdivided by node (upstream's static NodeRules): the reviews of a kubelet in webhook mode.
  if (!sub && a.verb === 'create' && reviewResources.has(key)) return allow;
  // Upstream's NodeRules: a kubelet requests (and watches for) its own client/serving certificates.
  if (key === 'certificates.k8s.io/certificatesigningrequests' && !sub && CSR_VERBS.has(a.verb)) return allow;
  return deny();
}

/** Upstream's authorizeCSINode: get/create/update/patch/delete of the CSINode named after the node. */
function csiNodeRequest(node: string, a: RequestAttributes): Decision {
  if (!CSINODE_VERBS.has(a.verb)) return deny('can only get, create, update, patch, or delete a CSINode');
  if (a.subresource) return deny('cannot authorize CSINode subresources');
  // A create has no name on the request: node-restriction.ts checks the object's, as upstream's NodeRestriction.
  if (a.verb !== 'create' && a.name !== node) return deny('can only access CSINode with the same name as the requesting node');
  return allow;
}
const CSINODE_VERBS = new Set(['get', 'create', 'update', 'patch', 'delete']);

/** TokenReview and SubjectAccessReview, which the agent's server asks about its callers (src/agent/server). */
const reviewResources = new Set(['authentication.k8s.io/tokenreviews', 'authorization.k8s.io/subjectaccessreviews', 'authorization.k8s.io/localsubjectaccessreviews']);

/** create/get/list/watch on certificatesigningrequests, as upstream's NodeRules (no approval, no status). */
const CSR_VERBS = new Set(['create', 'get', 'list', 'watch']);

/** Resources whose access follows the node's pods (upstream's graph), by `group/resource`. */
const GRAPH_KINDS: Record<string, RelatedKind | undefined> = {
  '/secrets': 'secrets', '/configmaps': 'configmaps', '/persistentvolumeclaims': 'persistentvolumeclaims',
  '/persistentvolumes': 'persistentvolumes', '/serviceaccounts': 'serviceaccounts',
};

/**
 * Upstream's authorizeReadNamespacedObject (secrets, configmaps: get, list, watch of one named
 * object), authorizeGet (PVs, PVCs), authorizeStatusUpdate (PVC status) and authorizeCreateToken
 * (serviceaccounts/token), with their reasons.
 */
async function graphRequest(node: string, kind: RelatedKind, a: RequestAttributes, deps: NodeAuthorizerDeps): Promise<Decision> {
  const sub = a.subresource;
  if (kind === 'secrets' || kind === 'configmaps') {
    if (!READ.has(a.verb)) return deny('can only read resources of this type');
    if (sub) return deny('cannot read subresource');
    if (!a.namespace) return deny('can only read namespaced object of this type');
  } else if (kind === 'serviceaccounts') {
    if (a.verb !== 'create' || !a.name) return deny('can only create tokens for individual service accounts');
    if (sub !== 'token') return deny('can only create token subresource of serviceaccount');
  } else if (kind === 'persistentvolumeclaims' && sub === 'status') {
    if (a.verb !== 'update' && a.verb !== 'patch') return deny('can only get/update/patch this type');
  } else {
    if (a.verb !== 'get') return deny('can only get individual resources of this type');
    if (sub) return deny('cannot get subresource');
  }
  if (!a.name) return deny('No Object name found');
  if (await deps.related(node, kind, a.namespace, a.name)) return allow;
  return deny(`no relationship found between node '${node}' and this object`);
}

/** Upstream's authorizePod reads: own pods by name, lists and watches scoped to the node. */
async function podRead(node: string, a: RequestAttributes, deps: NodeAuthorizerDeps): Promise<Decision> {
  if (a.verb !== 'get' && fieldSelectorEquals(a.fieldSelector, 'spec.nodeName') === node) return allow;
  if (a.name === undefined || a.namespace === undefined) {
    return deny(a.verb === 'get' ? 'No Object name found' : 'can only list/watch pods with spec.nodeName field selector');
  }
  // As upstream's graph, a pod that does not exist is not related either (its existence is not told).
  if ((await deps.podNodeName(a.namespace, a.name)) === node) return allow;
  return deny(`no relationship found between node '${node}' and this object`);
}

function dnsSliceRequest(node: string, a: RequestAttributes): Decision {
  const own = `node '${node}' can only write its own DNS EndpointSlice ${DNS_SLICE_NAMESPACE}/${dnsSliceName(node)}`;
  if (a.namespace !== DNS_SLICE_NAMESPACE) return deny(own);
  if (a.verb === 'create') return allow; // the name is in the body: node-restriction.ts
  if (['get', 'update', 'delete'].includes(a.verb) && a.name === dnsSliceName(node)) return allow;
  return deny(own);
}

function nodeRequest(node: string, a: RequestAttributes): Decision {
  const sub = a.subresource;
  if (sub !== undefined && sub !== 'status') return deny();
  if (!sub && READ.has(a.verb)) return allow;
  if (sub === 'status' && a.verb === 'get') return allow;
  // The name of a created Node is in the body: admission (node-restriction.ts) checks it.
  if (!sub && a.verb === 'create') return allow;
  if (!WRITE_OWN.has(a.verb) || (sub === 'status' && a.verb === 'delete')) return deny();
  if (a.name === undefined) return deny(`node '${node}' can only modify its own node`);
  return a.name === node ? allow : deny(`node '${node}' cannot modify node '${a.name}'`);
}

function leaseRequest(node: string, a: RequestAttributes): Decision {
  const own = `node '${node}' can only access its own lease ('${node}' in namespace ${NODE_LEASE_NAMESPACE})`;
  if (a.subresource !== undefined || a.namespace !== NODE_LEASE_NAMESPACE) return deny(own);
  if (a.verb === 'create') return allow;
  if (a.verb === 'get' || WRITE_OWN.has(a.verb)) return a.name === node ? allow : deny(own);
  return deny(own);
}

/**
 * The node authorizer's permissions as rules for `namespace` (SelfSubjectRulesReview). What depends
 * on stored objects (deleting and updating the status of pods bound to the node) cannot be listed
 * as rules: `unlisted` says so. node-authorizer.test.ts checks every listed rule against
 * authorizeNode.
 */
export function nodeRules(node: string, namespace: string): { rules: ResourceRule[]; unlisted: string } {
  const byGroup = new Map<string, string[]>();
  for (const key of readable) {
    const [group, resource] = key.split('/') as [string, string];
    byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
  }
  const rules: ResourceRule[] = [...byGroup].map(([group, resources]) => ({ verbs: [...READ], apiGroups: [group], resources }));
  rules.push(
    { verbs: ['create'], apiGroups: [''], resources: ['nodes'] },
    { verbs: ['get'], apiGroups: [''], resources: ['nodes/status'] },
    { verbs: [...WRITE_OWN], apiGroups: [''], resources: ['nodes'], resourceNames: [node] },
    { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'], resourceNames: [node] },
    { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
    { verbs: ['create'], apiGroups: ['storage.k8s.io'], resources: ['csinodes'] },
    { verbs: ['get', 'update', 'patch', 'delete'], apiGroups: ['storage.k8s.io'], resources: ['csinodes'], resourceNames: [node] },
  );
  if (namespace === NODE_LEASE_NAMESPACE) {
    rules.push(
      { verbs: ['create'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
      { verbs: ['get', ...WRITE_OWN], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [node] },
    );
  }
  if (namespace === DNS_SLICE_NAMESPACE) {
    rules.push(
      { verbs: ['create'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
      { verbs: ['get', 'update', 'delete'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], resourceNames: [dnsSliceName(node)] },
    );
  }
  return {
    rules,
    unlisted: `node authorizer: reading (list/watch with fieldSelector spec.nodeName=${node}), deleting, evicting and updating the status of pods bound to node '${node}', and reading the secrets, `
      + 'configmaps, persistentvolumeclaims and persistentvolumes they reference, are allowed but not listed',
  };
}
