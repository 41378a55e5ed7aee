import { errors } from '../../../api/status.js';
import { serveJsonList } from '../list-stream.js';
import { parseListQuery } from '../query.js';
import type { VerbRequest } from './verb-request.js';
import { respond } from './verb-request.js';

/** GET of a collection; plain JSON lists are streamed item by item when the storage can. */
export async function serveList(r: VerbRequest): Promise<void> {
  const { def, fmt, storage, ctx } = r;
  if (!def.verbs.includes('list')) throw errors.methodNotAllowed(`list is not supported on ${r.path.resource}`);
  if (fmt.as === 'object' && fmt.encoding === 'json' && storage.listEach) return serveJsonList(r.res, ctx, storage, r.ns, parseListQuery(r.query));
  respond(r.res, ctx, 200, storage, await storage.list(ctx, r.ns, parseListQuery(r.query)), fmt);
}
