/**
 * The 403 kube-apiserver answers when authorization denies a request (responsewriters.Forbidden):
 *   nodes "n2" is forbidden: User "system:node:n1" cannot patch resource "nodes" in API group "" at
 *   the cluster scope: node 'n1' cannot modify node 'n2'
 * details name the object, its group and its resource (without the subresource). A non-resource
 * request's is `forbidden: User "u" cannot get path "/metrics"`.
 */
import { failure, type StatusError } from '../../api/status.js';
import type { UserInfo } from '../http/authn.js';
import type { RequestAttributes } from './attributes.js';

/** The "User ... cannot ..." part, as upstream's forbiddenMessage. */
export function forbiddenMessage(a: RequestAttributes): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${where}`;
}

/** The Forbidden status error for a denied request; `reason` is the authorizer's explanation. */
export function forbidden(a: RequestAttributes, reason?: string): StatusError {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const message = a.name ? `${qualified} "${a.name}" is forbidden: ${msg}` : `${qualified} is forbidden: ${msg}`;
  return failure(403, 'Forbidden', message, { name: a.name, group: a.group, kind: a.resource });
}

/** The Forbidden status error for a denied non-resource request. */
export function forbiddenNonResource(user: UserInfo, verb: string, path: string, reason?: string): StatusError {
  const msg = `User "${user.name}" cannot ${verb} path "${path}"`;
  return failure(403, 'Forbidden', `forbidden: ${reason ? `${msg}: ${reason}` : msg}`, {});
}
