/**
 * Request authorization, run by the router after authentication and before any storage is touched.
 * The chain is upstream's `--authorization-mode=Node,RBAC` minus RBAC, which Bosun does not have
 * yet: members of system:masters may do anything; node identities (system:node:<name> in
 * system:nodes) are limited by the node authorizer; every other authenticated user is allowed, as
 * before this authorizer existed. Denials throw upstream's 403 Forbidden Status.
 */
import type { UserInfo } from '../http/authn.js';
import type { ResourcePath } from '../http/request-info.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { requestAttributes } from './attributes.js';
import { forbidden } from './forbidden.js';
import { authorizeNode, nodeNameOf } from './node-authorizer.js';

/** Throws a Forbidden StatusError when `user` may not make the request. */
export type Authorizer = (user: UserInfo, method: string, p: ResourcePath, query: URLSearchParams) => Promise<void>;

export interface AuthorizerDeps {
  /** The pods storage (looked up lazily: the catalog is assembled after the router options). */
  pods: () => ResourceStorage | undefined;
}

const lookupContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
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
  return async (user, method, p, query) => {
    if (user.groups.includes('system:masters')) return;
    const node = nodeNameOf(user);
    if (node === undefined) return;
    const a = requestAttributes(user, method, p, query);
    const d = await authorizeNode(node, a, { podNodeName });
    if (!d.allowed) throw forbidden(a, d.reason);
  };
}
