/**
 * Authorization attributes of a resource request, as kube-apiserver's RequestInfoFactory derives
 * them: the verb comes from the HTTP method and whether a name is present (GET on a collection is
 * `list`, `?watch=true` on a collection (any value but "0"/"false", as the handler reads it) or
 * the `/watch/` prefix is `watch`, a named GET stays `get` whatever its query, DELETE on a
 * collection is `deletecollection`).
 */
import { isWatchRequest } from '../http/query.js';
import type { UserInfo } from '../http/authn.js';
import type { ResourcePath } from '../http/request-info.js';

/** The group whose members may do anything (upstream's superuser group). */
export const SYSTEM_MASTERS = 'system:masters';

export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  /** The request's namespace; for the `namespaces` resource, the namespace named. */
  namespace?: string;
  name?: string;
  /** The fieldSelector of a list or watch, as sent. */
  fieldSelector?: string;
}

/** The verb kube-apiserver authorizes for `method` on `p`. */
export function requestVerb(method: string, p: ResourcePath, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      if (isWatchRequest(p, query)) return 'watch';
      return p.name === undefined ? 'list' : 'get';
    }
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return p.name === undefined ? 'deletecollection' : 'delete';
    default: return method.toLowerCase();
  }
}

/**
 * The object a list or watch names through `fieldSelector=metadata.name=<name>` (or `==`), as
 * upstream's RequestInfoFactory sets RequestInfo.Name from it (RequiresExactMatch), so the node
 * authorizer can allow a single-object watch; undefined when none or not a valid path segment.
 */
export function fieldSelectorName(query: URLSearchParams): string | undefined {
  const name = fieldSelectorEquals(query.get('fieldSelector') ?? undefined, 'metadata.name');
  return name && name !== '.' && name !== '..' && !/[/%]/.test(name) ? name : undefined;
}

/** The value a field selector requires `field` to equal (`field=v` or `field==v`), as RequiresExactMatch. */
export function fieldSelectorEquals(sel: string | undefined, field: string): string | undefined {
  for (const term of (sel ?? '').split(',')) {
    const eq = term.indexOf('=');
    if (eq < 0 || term[eq - 1] === '!') continue;
    if (term.slice(0, eq).trim() !== field) continue;
    return term.slice(term[eq + 1] === '=' ? eq + 2 : eq + 1).trim();
  }
  return undefined;
}

export function requestAttributes(user: UserInfo, method: string, p: ResourcePath, query: URLSearchParams): RequestAttributes {
  const namespace = p.resource === 'namespaces' && p.namespace === undefined ? p.name : p.namespace;
  const verb = requestVerb(method, p, query);
  const collection = verb === 'list' || verb === 'watch';
  const name = p.name ?? (collection ? fieldSelectorName(query) : undefined);
  return {
    user, verb, group: p.group, version: p.version, resource: p.resource,
    subresource: p.subresource, namespace, name, ...(collection && query.get('fieldSelector') ? { fieldSelector: query.get('fieldSelector')! } : {}),
  };
}
