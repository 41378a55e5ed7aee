import { errors } from '../../../api/status.js';
import { checkObject } from '../object-checks.js';
import { parseWriteOptions } from '../write-options.js';
import { duplicateFieldsOf } from '../../storage/field-validation.js';
import { bodyOf, objectBody, respond, useWriteOptions, type VerbRequest } from './verb-request.js';
import { notFoundPath } from './not-found.js';

/** POST to a collection. */
export async function serveCreate(r: VerbRequest): Promise<void> {
  const { path: p, def, ns, ctx } = r;
  if (p.name !== undefined) throw errors.methodNotAllowed(`POST is not supported on a named ${def.kind}; create with POST to the collection`);
  if (def.namespaced && ns === undefined) throw notFoundPath();
  useWriteOptions(ctx, parseWriteOptions(r.query, 'CreateOptions', r.req.headers['user-agent']));
  const { value } = await bodyOf(r.req, objectBody);
  ctx.duplicateFields = duplicateFieldsOf(value);
  const obj = checkObject(value, { ...r.ownKind, namespace: ns });
  respond(r.res, ctx, 201, r.storage, await r.storage.create(ctx, ns, obj), r.fmt);
}
