/**
 * The digest of a request as APF classifies and estimates it (upstream's RequestInfo): the verb
 * (get, list, watch, create, update, patch, delete, deletecollection; the lower-cased method for
 * non-resource requests), the resource with its subresource, the object named by the path or, for a
 * list or watch, by an exact metadata.name field selector, and the query.
 */
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../http/authn.js';
import type { RequestDigest } from './classify.js';
import { nameFromFieldSelector } from './work-estimator.js';

export interface DigestPath { group: string; version?: string; resource: string; namespace?: string; name?: string; subresource?: string; watchPrefix?: boolean }

export function digestOf(req: IncomingMessage, user: UserInfo | undefined, url: URL, p: DigestPath | undefined, watch: boolean): RequestDigest {
  const method = req.method ?? 'GET';
  const u = user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  if (!p) return { user: u.name, groups: u.groups, verb: method.toLowerCase(), isResource: false, apiGroup: '', resource: '', namespace: '', path: url.pathname };
  const read = method === 'GET' || method === 'HEAD';
  const verb = read ? (watch ? 'watch' : p.name !== undefined ? 'get' : 'list')
    : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch'
      : method === 'DELETE' ? (p.name ? 'delete' : 'deletecollection') : method.toLowerCase();
  const query = url.searchParams;
  const name = p.name ?? (verb === 'list' || verb === 'watch' ? nameFromFieldSelector(query.get('fieldSelector')) : undefined);
  const d: RequestDigest = { user: u.name, groups: u.groups, verb, isResource: true, apiGroup: p.group, resource: p.subresource ? `${p.resource}/${p.subresource}` : p.resource, namespace: p.namespace ?? '', path: url.pathname, query };
  if (name !== undefined) d.name = name;
  if (p.version !== undefined) d.version = p.version;
  return d;
}
