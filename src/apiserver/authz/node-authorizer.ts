/**
 * The node authorizer (upstream plugin/pkg/auth/authorizer/node together with the system:node role
 * and the NodeRestriction admission plugin's request-time checks). A node identity is user
 * `system:node:<name>` in group `system:nodes`. It may:
 * - read nodes, pods, services, endpoints, endpointslices, configmaps, secrets, PVCs/PVs and
 *   runtimeclasses (Bosun's agent watches every configmap and secret to resolve pod references, so
 *   reads of those are not limited to the ones its pods reference as upstream's graph does);
 * - create a Node (the name is checked by node-restriction.ts), and update, patch or delete only its
 *   own Node and node status;
 * - create, read, update, patch and delete only its own Lease in kube-node-lease;
 * - update or patch the status of, and delete, only pods bound to it (spec.nodeName);
 * - create, update and patch events;
 * - (Bosun-specific) write its own DNS EndpointSlice `kube-system/kube-dns-<node>`: every node runs
 *   a cluster DNS server and publishes it as an endpoint of kube-dns (src/dns/dns-endpoint.ts);
 *   node-restriction.ts checks the slice's content (its endpoints name this node).
 * Everything else is denied.
 */
import type { RequestAttributes } from './attributes.js';
import type { ResourceRule } from './rules.js';

export type Decision = { allowed: true } | { allowed: false; reason?: string };

export interface NodeAuthorizerDeps {
  /** spec.nodeName of a pod; undefined when the pod does not exist (the request then gets its 404). */
  podNodeName(namespace: string, name: string): Promise<string | null | undefined>;
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
  '/nodes', '/pods', '/services', '/endpoints', '/configmaps', '/secrets', '/persistentvolumeclaims', '/persistentvolumes',
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
  if ((key === '/events' || key === 'events.k8s.io/events') && !sub && ['create', 'update', 'patch'].includes(a.verb)) return allow;
  if (key === '/pods' && a.name !== undefined && a.namespace !== undefined) {
    const statusWrite = sub === 'status' && (a.verb === 'update' || a.verb === 'patch');
    const deletion = !sub && a.verb === 'delete';
    if (statusWrite || deletion) {
      const bound = await deps.podNodeName(a.namespace, a.name);
      if (bound === undefined || bound === node) return allow;
      return deny(statusWrite
        ? `node '${node}' can only update pod status for pods with spec.nodeName set to itself`
        : `node '${node}' can only delete pods with spec.nodeName set to itself`);
    }
  }
  if (!sub && READ.has(a.verb) && readable.has(key)) return allow;
  if (key === 'discovery.k8s.io/endpointslices' && !sub) return dnsSliceRequest(node, a);
  return deny();
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
  return { rules, unlisted: `node authorizer: deleting pods bound to node '${node}' and updating their status are allowed but not listed` };
}
