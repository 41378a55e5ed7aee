import { errors } from '../../../api/status.js';
import { fieldSelectorEquals } from '../../authz/attributes.js';
import { negotiateResource } from '../media.js';
import { parseWatchQuery } from '../query.js';
import { serveWatch, type WatchRegistry } from '../watch.js';
import type { VerbRequest } from './verb-request.js';

/**
 * A watch (`?watch=true` on a collection, or the legacy /watch/ prefix); under /watch/ on a named
 * object, a watch of that name only, whose fieldSelector may only require that name (ListResource's
 * hasName branch: anything else is 400).
 */
export function serveWatchVerb(r: VerbRequest, watches: WatchRegistry): Promise<void> {
  if (r.sub) throw errors.methodNotAllowed(`watch is not supported on ${r.path.resource}/${r.sub}`);
  const wq = parseWatchQuery(r.query);
  // A watch-list (sendInitialEvents with bookmarks) is never a Table (upstream's
  // watchListEndpointRestrictions): the next acceptable media type, or 406.
  const fmt = wq.sendInitialEvents && wq.allowWatchBookmarks && r.fmt.as === 'Table'
    ? negotiateResource(r.req.headers.accept, r.query.get('includeObject') ?? undefined, false)
    : r.fmt;
  if (r.path.name !== undefined) {
    if (wq.fieldSelector && fieldSelectorEquals(wq.fieldSelector, 'metadata.name') !== r.path.name) {
      throw errors.badRequest("fieldSelector metadata.name doesn't match requested name");
    }
    wq.fieldSelector = [`metadata.name=${r.path.name}`, wq.fieldSelector].filter(Boolean).join(',');
  }
  return serveWatch(r.req, r.res, r.storage, r.ctx, r.ns, wq, fmt, watches);
}
