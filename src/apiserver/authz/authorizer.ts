/**
 * Request authorization, run by the router after authentication and before any storage is touched.
 * The chain is upstream's `--authorization-mode=Node,RBAC`: members of system:masters may do
 * anything (the privileged-group authorizer); node identities (system:node:<name> in system:nodes)
 * get what the node authorizer allows; everything else is what RBAC (rbac/) allows, from the
 * bindings of the user and its groups. The first "allow" wins; when all have no opinion the request
 * is denied with upstream's 403 Forbidden Status (the node authorizer's reason, if any, appended).
 * Non-resource paths (/version, /healthz, discovery, /openapi, /metrics) are authorized by RBAC too
 * (system:discovery, system:public-info-viewer, system:monitoring); anonymous clients
 * (system:anonymous in system:unauthenticated) get what RBAC binds to that group: the public paths.
 *
 * `mode: 'AlwaysAllow'` keeps the chain before RBAC (every authenticated non-node user allowed): the
 * benchmark's baseline (bench/rbac.bench.ts), never a server default.
 *
 * The same decisions answer SubjectAccessReviews and `kubectl auth can-i` (src/apiserver/reviews),
 * so what can-i says is what the router does.
 */
import type { UserInfo } from '../http/authn.js';
import type { ResourcePath } from '../http/request-info.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { requestAttributes, SYSTEM_MASTERS, type RequestAttributes } from './attributes.js';
import { forbidden, forbiddenNonResource } from './forbidden.js';
import { authorizeNode, nodeNameOf, type Decision } from './node-authorizer.js';
import { relatedToNode } from './node-graph.js';
import { PodReferenceIndex } from './pod-reference-index.js';
import { EscalationCheck } from './rbac/escalation.js';
import { RbacPolicyCache, type RbacResource } from './rbac/policy-cache.js';
import { withRbacPolicy } from './rbac/policy-storage.js';
import { RbacAuthorizer } from './rbac/rbac-authorizer.js';
import { rulesFor, type SubjectRules } from './rules.js';

export type { Decision } from './node-authorizer.js';

/**
 * Throws a Forbidden StatusError when `user` may not make the request (its `authorizerReason` the
 * decision's reason); otherwise resolves with the reason it was allowed (RBAC: the binding).
 */
export type Authorizer = (user: UserInfo, method: string, p: ResourcePath, query: URLSearchParams) => Promise<{ reason: string }>;

export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';

export interface AuthorizerDeps {
  /** The pods storage (looked up lazily: the catalog is assembled after the router options). */
  pods: () => ResourceStorage | undefined;
  /** The PVC storage, for a node's reads of PersistentVolumes (node-graph.ts); none: no PV is related. */
  persistentVolumeClaims?: () => ResourceStorage | undefined;
  /** The storages of roles, clusterroles, rolebindings and clusterrolebindings; none: no RBAC grants. */
  rbac?: (resource: RbacResource) => ResourceStorage | undefined;
  /** Default 'RBAC'. */
  mode?: AuthorizationMode;
}

/** The server's authorization, for the router and for the review endpoints. */
export interface Authorization {
  /** The router's check of a resource request. */
  authorize: Authorizer;
  /** The router's check of a non-resource request (`verb` is the lower-cased HTTP method). */
  authorizeNonResource(user: UserInfo, verb: string, path: string): void;
  /** The decision for resource request attributes (what `authorize` enforces). */
  decide(a: RequestAttributes): Promise<Decision>;
  /** The decision for a non-resource request. */
  decideNonResource(user: UserInfo, verb: string, path: string): Decision;
  /** What `user` may do in `namespace`, as far as it can be listed (SelfSubjectRulesReview). */
  rules(user: UserInfo, namespace: string): SubjectRules;
  /** `storage` with RBAC's escalation checks when it serves an RBAC kind (the catalog wraps every storage). */
  wrapStorage(storage: ResourceStorage): ResourceStorage;
  /** Loads the policy cache and follows it (before the server serves). */
  start(): Promise<void>;
  stop(): void;
}

/** Resources every authenticated user may create (upstream's system:basic-user ClusterRole). */
const selfReviews = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);
const AUTHENTICATED = 'system:authenticated';

const lookupContext = (): RequestContext => ({
  user: 'system:apiserver', groups: [SYSTEM_MASTERS], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

const allow: Decision = { allowed: true };

export function createAuthorization(deps: AuthorizerDeps): Authorization {
  const mode = deps.mode ?? 'RBAC';
  const cache = new RbacPolicyCache(deps.rbac ?? (() => undefined));
  const rbac = new RbacAuthorizer(cache);
  const escalation = new EscalationCheck(rbac, (ref, ns) => cache.rulesOf(ref, ns));
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
    if (a.group === 'authorization.k8s.io' && selfReviews.has(a.resource) && !a.subresource && a.verb === 'create' && a.user.groups.includes(AUTHENTICATED)) return allow;
    const node = nodeNameOf(a.user);
    let nodeReason: string | undefined;
    if (node !== undefined) {
      const d = await authorizeNode(node, a, { podNodeName, related: (n, kind, ns, name) => relatedToNode(graph, n, kind, ns, name) });
      if (d.allowed) return d;
      nodeReason = d.reason;
    }
    if (mode === 'AlwaysAllow') return node === undefined ? allow : { allowed: false, reason: nodeReason };
    const r = rbac.authorize(a.user, a);
    if (r.allowed) return r;
    const reason = [nodeReason, r.reason].filter(Boolean).join('\n');
    return reason ? { allowed: false, reason } : { allowed: false };
  };
  const decideNonResource = (user: UserInfo, verb: string, path: string): Decision => {
    if (user.groups.includes(SYSTEM_MASTERS) || mode === 'AlwaysAllow') return allow;
    return rbac.authorize(user, { verb, path });
  };
  return {
    decide,
    decideNonResource,
    rules: (user, namespace) => rulesFor(user, namespace, mode === 'AlwaysAllow' ? undefined : rbac.rulesFor(user, namespace)),
    authorize: async (user, method, p, query) => {
      const a = requestAttributes(user, method, p, query);
      const d = await decide(a);
      // The reason goes to the audit log's authorization.k8s.io/reason annotation (audit/auditor.ts).
      if (!d.allowed) throw Object.assign(forbidden(a, d.reason), { authorizerReason: d.reason ?? '' });
      return { reason: d.reason ?? '' };
    },
    authorizeNonResource: (user, verb, path) => {
      const d = decideNonResource(user, verb, path);
      if (!d.allowed) throw forbiddenNonResource(user, verb, path, d.reason);
    },
    wrapStorage: (storage) => withRbacPolicy(storage, cache, escalation),
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
