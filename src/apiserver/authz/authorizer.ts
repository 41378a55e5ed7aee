/**
 * Request authorization, run by the router after authentication and before any storage is touched.
 * The chain is upstream's `--authorization-mode=Node,RBAC` minus RBAC, which Bosun does not have
 * yet: members of system:masters may do anything; every authenticated user may create
 * SelfSubjectAccessReviews and SelfSubjectRulesReviews (upstream's system:basic-user role); node
 * identities (system:node:<name> in system:nodes) are limited by the node authorizer; every other
 * authenticated user is allowed, as before this authorizer existed. Denials throw upstream's 403
 * Forbidden Status. Non-resource paths (/version, /healthz, discovery, /openapi) are not
 * authorized: every authenticated user may GET them.
 *
 * The same decisions answer `kubectl auth can-i` (src/apiserver/reviews), so what can-i says is
 * what the router does.
 */
import type { UserInfo } from '../http/authn.js';
import type { ResourcePath } from '../http/request-info.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { requestAttributes, SYSTEM_MASTERS, type RequestAttributes } from './attributes.js';
import { forbidden } from './forbidden.js';
import { authorizeNode, nodeNameOf, type Decision } from './node-authorizer.js';
import { relatedToNode } from './node-graph.js';
import { PodReferenceIndex } from './pod-reference-index.js';
import { rulesFor, type SubjectRules } from './rules.js';

export type { Decision } from './node-authorizer.js';

/** Throws a Forbidden StatusError when `user` may not make the request. */
export type Authorizer = (user: UserInfo, method: string, p: ResourcePath, query: URLSearchParams) => Promise<void>;

export interface AuthorizerDeps {
  /** The pods storage (looked up lazily: the catalog is assembled after the router options). */
  pods: () => ResourceStorage | undefined;
  /** The PVC storage, for a node's reads of PersistentVolumes (node-graph.ts); none: no PV is related. */
  persistentVolumeClaims?: () => ResourceStorage | undefined;
}

/** The server's authorization, for the router and for the self-review endpoints. */
export interface Authorization {
  /** The router's check of a resource request. */
  authorize: Authorizer;
  /** The decision for resource request attributes (what `authorize` enforces). */
  decide(a: RequestAttributes): Promise<Decision>;
  /** The decision for a non-resource request: allowed, since the router does not authorize those. */
  decideNonResource(user: UserInfo, verb: string, path: string): Decision;
  /** What `user` may do in `namespace`, as far as it can be listed (SelfSubjectRulesReview). */
  rules(user: UserInfo, namespace: string): SubjectRules;
}

/** Resources every authenticated user may create (upstream's system:basic-user ClusterRole). */
const selfReviews = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

const lookupContext = (): RequestContext => ({
  user: 'system:apiserver', groups: [SYSTEM_MASTERS], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

const allow: Decision = { allowed: true };

export function createAuthorization(deps: AuthorizerDeps): Authorization {
  const podNodeName = async (namespace: string, name: string): Promise<string | null | undefined> => {
    const pods = deps.pods();
    if (!pods) return undefined;
    try {
      const pod = (await pods.get(lookupContext(), namespace, name)) as { spec?: { nodeName?: string } };
      return pod.spec?.nodeName ?? null;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  const graph = { pods: deps.pods, persistentVolumeClaims: deps.persistentVolumeClaims ?? (() => undefined), index: new PodReferenceIndex(deps.pods) };
  const decide = async (a: RequestAttributes): Promise<Decision> => {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return allow;
    if (a.group === 'authorization.k8s.io' && selfReviews.has(a.resource) && !a.subresource && a.verb === 'create') return allow;
    const node = nodeNameOf(a.user);
    if (node === undefined) return allow;
    return authorizeNode(node, a, { podNodeName, related: (n, kind, ns, name) => relatedToNode(graph, n, kind, ns, name) });
  };
  return {
    decide,
    decideNonResource: () => allow,
    rules: (user, namespace) => rulesFor(user, namespace),
    authorize: async (user, method, p, query) => {
      const a = requestAttributes(user, method, p, query);
      const d = await decide(a);
      if (!d.allowed) throw forbidden(a, d.reason);
    },
  };
}
