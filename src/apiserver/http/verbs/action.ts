import type { KubeObject } from '../../../api/meta.js';
import { errors, type Status } from '../../../api/status.js';
import type { ApiCatalog } from '../../discovery/catalog.js';
import { requireObject } from '../body.js';
import { checkActionBody } from './action-body.js';
import { parseWriteOptions } from '../write-options.js';
import { notFoundPath } from './not-found.js';
import { patchOf } from './patch.js';
import { bodyOf, objectBody, respond, useWriteOptions, type VerbRequest } from './verb-request.js';

/**
 * POST or PUT to an action subresource (pods/binding, pods/eviction, serviceaccounts/token...); GET
 * and PATCH where the subresource serves them (certificatesigningrequests/approval).
 */
export async function serveAction(r: VerbRequest, catalog: ApiCatalog, name: string, subresource: string): Promise<void> {
  const action = catalog.action(r.path.resource, subresource);
  if (!action) throw notFoundPath();
  const method = r.req.method ?? 'GET';
  if (method === 'GET' && action.read) return respond(r.res, r.ctx, 200, r.storage, await action.read(r.ctx, r.ns, name), r.fmt);
  if (method === 'PATCH' && action.patchWith) {
    const { type, body } = await patchOf(r, false);
    return respond(r.res, r.ctx, 200, r.storage, await action.patchWith(r.ctx, r.ns, name, { type, body }), r.fmt);
  }
  if (method !== 'POST' && method !== 'PUT') throw errors.methodNotAllowed(`${method} is not supported on ${r.path.resource}/${subresource}`);
  useWriteOptions(r.ctx, parseWriteOptions(r.query, method === 'POST' ? 'CreateOptions' : 'UpdateOptions', r.req.headers['user-agent']));
  const { value } = await bodyOf(r.req, objectBody);
  const body = requireObject(value) as KubeObject;
  checkActionBody(body, r.path.resource, subresource);
  if (body.metadata === undefined) body.metadata = {};
  ensureRequestNamespace(body, r.def.namespaced ? r.ns : undefined);
  const result = await action.create(r.ctx, r.ns, name, body);
  const code = (result as Status).kind === 'Status' ? (result as Status).code || 201 : method === 'PUT' ? 200 : 201;
  respond(r.res, r.ctx, code, r.storage, result, r.fmt);
}

/**
 * rest.EnsureObjectNamespaceMatchesRequestNamespace, as the create and update handlers apply it
 * before admission: a namespaced action's object takes the request's namespace when it names
 * none and is 400 when it names another (webhooks and policies would otherwise judge a Binding or
 * Eviction of another namespace than the one acted on); a cluster-scoped one's is cleared.
 */
function ensureRequestNamespace(body: KubeObject, namespace: string | undefined): void {
  // A metadata that is not an object is left to the action's decoding (400 there).
  if (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata)) return;
  const own = body.metadata.namespace;
  if (namespace === undefined) delete body.metadata.namespace;
  else if (!own) body.metadata.namespace = namespace;
  else if (own !== namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
}
