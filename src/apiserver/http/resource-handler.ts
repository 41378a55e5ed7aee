/**
 * Resource requests: picks the storage for the path, maps the HTTP method to a verb, decodes the body,
 * calls the storage once and renders the result in the negotiated format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/meta.js';
import { errors, failure, type Status } from '../../api/status.js';
import type { ApiCatalog } from '../discovery/catalog.js';
import type { PatchType, RequestContext, ResourceStorage, StorageSubresource } from '../storage/types.js';
import type { UserInfo } from './authn.js';
import { decodeBody, readBody, requireObject } from './body.js';
import { bodyFormatOf, negotiateResource, type BodyFormat, type OutputFormat } from './media.js';
import { checkObject } from './object-checks.js';
import { isWatch, parseDeleteOptions, parseListQuery, parseWatchQuery } from './query.js';
import type { ResourcePath } from './request-info.js';
import { setWarnings, writeBody } from './respond.js';
import type { StreamingRegistry } from './streaming.js';
import { render } from './table.js';
import { serveJsonList } from './list-stream.js';
import { serveWatch, type WatchRegistry } from './watch.js';
import { parseWriteOptions, type WriteOptions } from './write-options.js';

export interface ResourceDeps {
  catalog: ApiCatalog;
  watches: WatchRegistry;
  streams: StreamingRegistry;
}

const patchTypes: Partial<Record<BodyFormat, PatchType>> = {
  'json-patch': 'json', 'merge-patch': 'merge', 'strategic-merge-patch': 'strategic', 'apply-patch': 'apply',
};

/** The 404 kube-apiserver gives for paths it does not serve. */
export function notFoundPath(): Error {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

async function bodyOf(req: IncomingMessage, allowed: (f: BodyFormat) => boolean): Promise<{ value: unknown; format: BodyFormat }> {
  const ct = req.headers['content-type'];
  const format = bodyFormatOf(ct);
  if (!format || !allowed(format)) throw errors.unsupportedMediaType(ct ?? '');
  return { value: decodeBody(await readBody(req), format), format };
}

const objectBody = (f: BodyFormat): boolean => f === 'json' || f === 'yaml' || f === 'protobuf';

function respond(res: ServerResponse, ctx: RequestContext, code: number, storage: ResourceStorage, body: unknown, fmt: OutputFormat): void {
  setWarnings(res, ctx.warnings);
  const isStatus = (body as Status)?.kind === 'Status';
  const shown = isStatus ? body : render(storage.def, body as KubeObject, fmt);
  writeBody(res, code, shown, fmt.encoding);
}

/** Puts a write's options into the request context; returns them. */
function useWriteOptions(ctx: RequestContext, o: WriteOptions): WriteOptions {
  ctx.dryRun = o.dryRun;
  ctx.fieldValidation = o.fieldValidation;
  ctx.fieldManager = o.fieldManager;
  return o;
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
  const q = url.searchParams;
  const method = req.method ?? 'GET';

  // Streaming subresources own the response.
  if (p.name !== undefined && p.subresource) {
    const h = deps.streams.get(p.resource, p.subresource);
    if (h) {
      if (!h.handle) throw errors.badRequest(`${p.resource}/${p.subresource} needs a connection upgrade (WebSocket or SPDY)`);
      return h.handle(req, res, { namespace: ns, name: p.name, user, query: q, storage, rest: p.rest });
    }
  }

  const ctx: RequestContext = {
    user: user.name, groups: user.groups, dryRun: false, fieldValidation: 'Warn', warnings: [], signal,
  };
  const fmt = negotiateResource(req.headers.accept, q.get('includeObject') ?? undefined);

  if (p.name !== undefined && p.subresource && p.subresource !== 'status' && p.subresource !== 'scale') {
    const action = deps.catalog.action(p.resource, p.subresource);
    if (!action) throw notFoundPath();
    if (method !== 'POST' && method !== 'PUT') throw errors.methodNotAllowed(`${method} is not supported on ${p.resource}/${p.subresource}`);
    useWriteOptions(ctx, parseWriteOptions(q, method === 'POST' ? 'CreateOptions' : 'UpdateOptions', req.headers['user-agent']));
    const { value } = await bodyOf(req, objectBody);
    const body = requireObject(value) as KubeObject;
    if (body.metadata === undefined) body.metadata = {};
    const result = await action.create(ctx, ns, p.name, body);
    const code = (result as Status).kind === 'Status' ? (result as Status).code || 201 : method === 'PUT' ? 200 : 201;
    return respond(res, ctx, code, storage, result, fmt);
  }

  const sub: StorageSubresource | undefined = p.subresource === 'status' || p.subresource === 'scale' ? p.subresource : undefined;
  if (sub && !def.subresources.includes(sub)) throw notFoundPath();
  const ownKind = { group: def.group, version: def.version, kind: def.kind, namespaced: def.namespaced };
  const bodyKind = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale', namespaced: def.namespaced } : ownKind;

  if (method === 'GET' || method === 'HEAD') {
    if (isWatch(q) || p.watchPrefix) {
      if (sub) throw errors.methodNotAllowed(`watch is not supported on ${p.resource}/${sub}`);
      const wq = parseWatchQuery(q);
      if (p.name !== undefined) wq.fieldSelector = [`metadata.name=${p.name}`, wq.fieldSelector].filter(Boolean).join(',');
      return serveWatch(req, res, storage, ctx, ns, wq, fmt, deps.watches);
    }
    if (p.name !== undefined) return respond(res, ctx, 200, storage, await storage.get(ctx, ns, p.name, sub), sub ? { ...fmt, as: fmt.as === 'Table' && sub === 'scale' ? 'object' : fmt.as } : fmt);
    if (!def.verbs.includes('list')) throw errors.methodNotAllowed(`list is not supported on ${p.resource}`);
    if (fmt.as === 'object' && fmt.encoding === 'json' && storage.listEach) return serveJsonList(res, ctx, storage, ns, parseListQuery(q));
    return respond(res, ctx, 200, storage, await storage.list(ctx, ns, parseListQuery(q)), fmt);
  }

  const userAgent = req.headers['user-agent'];
  switch (method) {
    case 'POST': {
      if (p.name !== undefined) throw errors.methodNotAllowed(`POST is not supported on a named ${def.kind}; create with POST to the collection`);
      if (def.namespaced && ns === undefined) throw notFoundPath();
      useWriteOptions(ctx, parseWriteOptions(q, 'CreateOptions', userAgent));
      const { value } = await bodyOf(req, objectBody);
      const obj = checkObject(value, { ...ownKind, namespace: ns });
      return respond(res, ctx, 201, storage, await storage.create(ctx, ns, obj), fmt);
    }
    case 'PUT': {
      if (p.name === undefined) throw errors.methodNotAllowed('PUT needs an object name');
      useWriteOptions(ctx, parseWriteOptions(q, 'UpdateOptions', userAgent));
      const { value } = await bodyOf(req, objectBody);
      const obj = checkObject(value, { ...bodyKind, namespace: ns, name: p.name });
      return respond(res, ctx, 200, storage, await storage.update(ctx, ns, p.name, obj, sub), fmt);
    }
    case 'PATCH': {
      if (p.name === undefined) throw errors.methodNotAllowed('PATCH needs an object name');
      const { value, format } = await bodyOf(req, (f) => patchTypes[f] !== undefined);
      const type = patchTypes[format]!;
      if (value === undefined) throw errors.badRequest('the patch body is empty');
      if (type === 'json' && !Array.isArray(value)) throw errors.badRequest('a JSON patch must be an array of operations');
      if (type !== 'json') requireObject(value, 'the patch');
      const { force } = useWriteOptions(ctx, parseWriteOptions(q, 'PatchOptions', userAgent, type));
      const { object, created } = await storage.patch(ctx, ns, p.name, { type, body: value, force }, sub);
      return respond(res, ctx, created ? 201 : 200, storage, object, fmt);
    }
    case 'DELETE': {
      if (sub) throw errors.methodNotAllowed(`DELETE is not supported on ${p.resource}/${sub}`);
      const raw = await readBody(req);
      let body: unknown;
      if (raw.length > 0) {
        const f = bodyFormatOf(req.headers['content-type']);
        body = decodeBody(raw, f === 'yaml' || f === 'protobuf' ? f : 'json');
      }
      const { opts, dryRun } = parseDeleteOptions(q, body);
      ctx.dryRun = dryRun;
      if (p.name === undefined) {
        if (!def.verbs.includes('deletecollection')) throw errors.methodNotAllowed(`deletecollection is not supported on ${p.resource}`);
        // The all-namespaces path of a namespaced resource serves list and watch only, as upstream
        // registers it: a DELETE there must not empty every namespace at once.
        if (def.namespaced && ns === undefined) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
        return respond(res, ctx, 200, storage, await storage.deleteCollection(ctx, ns, parseListQuery(q), opts), fmt);
      }
      const { object } = await storage.delete(ctx, ns, p.name, opts);
      return respond(res, ctx, 200, storage, object, fmt);
    }
    default:
      throw errors.methodNotAllowed(`${method} is not supported`);
  }
}
