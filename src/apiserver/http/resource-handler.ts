/**
 * Resource requests: picks the storage for the path, maps the HTTP method to a verb and hands the
 * request to that verb's handler (verbs/: get, list, watch, create, update, patch, delete and
 * deletecollection, action subresources), which decodes the body, calls the storage once and
 * renders the result in the negotiated format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../api/status.js';
import { admissionAuditOf } from '../audit/audit-context.js';
import type { ApiCatalog } from '../discovery/catalog.js';
import type { RequestContext, StorageSubresource } from '../storage/types.js';
import type { UserInfo } from './authn.js';
import { negotiateResource } from './media.js';
import { setWarnings } from './respond.js';
import { isWatchRequest } from './query.js';
import type { ResourcePath } from './request-info.js';
import { admitConnect, type StreamingRegistry, type StreamingRequest } from './streaming.js';
import type { WatchRegistry } from './watch.js';
import { serveAction } from './verbs/action.js';
import { serveCreate } from './verbs/create.js';
import { serveDelete } from './verbs/delete.js';
import { serveGet } from './verbs/get.js';
import { serveList } from './verbs/list.js';
import { notFoundPath } from './verbs/not-found.js';
import { servePatch } from './verbs/patch.js';
import { serveUpdate } from './verbs/update.js';
import type { VerbRequest } from './verbs/verb-request.js';
import { serveWatchVerb } from './verbs/watch.js';

export interface ResourceDeps {
  catalog: ApiCatalog;
  watches: WatchRegistry;
  streams: StreamingRegistry;
}

/** Serves a request whose path parsed as a resource path. */
export async function handleResource(
  req: IncomingMessage, res: ServerResponse, url: URL, p: ResourcePath, user: UserInfo, deps: ResourceDeps, signal: AbortSignal,
): Promise<void> {
  const entry = deps.catalog.resolve(p.group, p.version, p.resource);
  if (!entry) throw notFoundPath();
  const { storage, def } = entry;
  if (p.rest.length > 0 && p.subresource !== 'proxy') throw notFoundPath();
  if (def.namespaced ? p.name !== undefined && p.namespace === undefined : p.namespace !== undefined) throw notFoundPath();
  const ns = def.namespaced ? p.namespace : undefined;
  const query = url.searchParams;
  const method = req.method ?? 'GET';

  // Streaming subresources own the response.
  if (p.name !== undefined && p.subresource) {
    const h = deps.streams.get(p.resource, p.subresource);
    if (h) {
      if (!h.handle) throw errors.badRequest(`${p.resource}/${p.subresource} needs a connection upgrade (WebSocket or SPDY)`);
      const warnings: string[] = [];
      let sr: StreamingRequest;
      try {
        sr = await admitConnect(h, { namespace: ns, name: p.name, user, query, storage, rest: p.rest }, req, warnings);
      } finally {
        setWarnings(res, warnings);
      }
      return h.handle(req, res, sr);
    }
  }

  const ctx: RequestContext = {
    user: user.name, groups: user.groups, dryRun: false, fieldValidation: 'Warn', warnings: [], signal,
    ...(user.uid !== undefined ? { uid: user.uid } : {}), ...(user.extra !== undefined ? { extra: user.extra } : {}),
    ...admissionAuditOf(req),
  };
  const fmt = negotiateResource(req.headers.accept, query.get('includeObject') ?? undefined, !storage.noTable);
  const sub: StorageSubresource | undefined = p.subresource === 'status' || p.subresource === 'scale' || p.subresource === 'ephemeralcontainers' ? p.subresource : undefined;
  const ownKind = { group: def.group, version: def.version, kind: def.kind, namespaced: def.namespaced };
  const bodyKind = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale', namespaced: def.namespaced } : ownKind;
  const r: VerbRequest = { req, res, query, path: p, ctx, fmt, storage, def, ns, sub, ownKind, bodyKind };

  if (p.name !== undefined && p.subresource && !sub) return serveAction(r, deps.catalog, p.name, p.subresource);
  if (sub && !def.subresources.includes(sub)) throw notFoundPath();

  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatchRequest(p, query)) return serveWatchVerb(r, deps.watches);
      return p.name !== undefined ? serveGet(r, p.name) : serveList(r);
    case 'POST': return serveCreate(r);
    case 'PUT': return serveUpdate(r);
    case 'PATCH': return servePatch(r);
    case 'DELETE': return serveDelete(r);
    default:
      throw errors.methodNotAllowed(`${method} is not supported`);
  }
}
