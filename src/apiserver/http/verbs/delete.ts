import { errors } from '../../../api/status.js';
import { decodeBody, readBody } from '../body.js';
import { auditRequestObject } from '../../audit/audit-context.js';
import { bodyFormatOf } from '../media.js';
import { parseDeleteOptions, parseListQuery } from '../query.js';
import { respond, type VerbRequest } from './verb-request.js';

/** DELETE of a named object, or of a collection (deletecollection); DeleteOptions come from the query or the body. */
export async function serveDelete(r: VerbRequest): Promise<void> {
  const { path: p, def, ns, ctx } = r;
  if (r.sub) throw errors.methodNotAllowed(`DELETE is not supported on ${p.resource}/${r.sub}`);
  const raw = await readBody(r.req);
  let body: unknown;
  if (raw.length > 0) {
    const f = bodyFormatOf(r.req.headers['content-type']);
    body = decodeBody(raw, f === 'yaml' || f === 'protobuf' ? f : 'json');
    auditRequestObject(r.req, body);
  }
  const { opts, dryRun } = parseDeleteOptions(r.query, body);
  ctx.dryRun = dryRun;
  if (p.name === undefined) {
    if (!def.verbs.includes('deletecollection')) throw errors.methodNotAllowed(`deletecollection is not supported on ${p.resource}`);
    // The all-namespaces path of a namespaced resource serves list and watch only, as upstream
    // registers it: a DELETE there must not empty every namespace at once.
    if (def.namespaced && ns === undefined) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    return respond(r.res, ctx, 200, r.storage, await r.storage.deleteCollection(ctx, ns, parseListQuery(r.query), opts), r.fmt);
  }
  const { object } = await r.storage.delete(ctx, ns, p.name, opts);
  respond(r.res, ctx, 200, r.storage, object, r.fmt);
}
