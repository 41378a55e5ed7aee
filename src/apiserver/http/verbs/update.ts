import { errors } from '../../../api/status.js';
import { checkObject } from '../object-checks.js';
import { parseWriteOptions } from '../write-options.js';
import { duplicateFieldsOf } from '../../storage/field-validation.js';
import { bodyOf, objectBody, respond, useWriteOptions, type VerbRequest } from './verb-request.js';

/** PUT of a named object, or of its status/scale. */
export async function serveUpdate(r: VerbRequest): Promise<void> {
  const { path: p, ns, ctx } = r;
  if (p.name === undefined) throw errors.methodNotAllowed('PUT needs an object name');
  useWriteOptions(ctx, parseWriteOptions(r.query, 'UpdateOptions', r.req.headers['user-agent']));
  const { value } = await bodyOf(r.req, objectBody);
  ctx.duplicateFields = duplicateFieldsOf(value);
  const obj = checkObject(value, { ...r.bodyKind, namespace: ns, name: p.name });
  respond(r.res, ctx, 200, r.storage, await r.storage.update(ctx, ns, p.name, obj, r.sub), r.fmt);
}
