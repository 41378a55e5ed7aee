/**
 * Counts and times every request the API server answers, as kube-apiserver's MonitorRequest
 * (endpoints/metrics): the verb as upstream reports it (GET/LIST/WATCH/POST/PUT/PATCH/APPLY/DELETE/
 * DELETECOLLECTION/CONNECT), scope (resource, namespace, cluster), code; long-running requests
 * (watches, log/exec/proxy streams) are a gauge while open and are counted, not timed, when done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsedRequest } from '../http/parsed-request.js';
import type { ResourcePath } from '../http/request-info.js';
import { addInflight, longRunning, requestCount, requestDuration } from './apiserver-metrics.js';
import type { Series } from './series-histogram.js';

const STREAMING = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);
const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Upstream's reported verb for a request (metrics.CleanVerb over the route's verb). */
export function reportedVerb(method: string, p: ResourcePath | undefined, q: URLSearchParams, contentType: string | undefined): string {
  if (!p) return method;
  const watch = p.watchPrefix || q.get('watch') === 'true' || q.get('watch') === '1';
  if (p.subresource && STREAMING.has(p.subresource) && p.subresource !== 'log') return 'CONNECT';
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'WATCH';
      return p.name === undefined ? 'LIST' : 'GET';
    case 'PATCH':
      return contentType?.startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    case 'DELETE':
      return p.name === undefined ? 'DELETECOLLECTION' : 'DELETE';
    default:
      return method;
  }
}

type RequestLabels = Record<'verb' | 'dry_run' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component', string>;

/** What one label set's requests update: its duration series and its count per response code. */
interface Route { key: string; labels: RequestLabels; duration: Series; totals: Map<number, ReturnType<typeof requestCount>> }
const routes = new Map<string, Route>();

function labelsOf(req: IncomingMessage): { labels: RequestLabels; longRunning: boolean } {
  const { url, p } = parsedRequest(req);
  const method = req.method ?? 'GET';
  const verb = reportedVerb(method, p, url.searchParams, req.headers['content-type']);
  const scope = !p ? '' : p.name !== undefined ? 'resource' : p.namespace !== undefined ? 'namespace' : 'cluster';
  const labels = {
    verb, dry_run: url.searchParams.has('dryRun') ? 'All' : '', group: p?.group ?? '', version: p?.version ?? '', resource: p?.resource ?? '',
    subresource: p?.subresource ?? '', scope, component: 'apiserver',
  };
  const isLong = verb === 'WATCH' || verb === 'CONNECT' || (p?.subresource === 'log' && url.searchParams.get('follow') === 'true');
  return { labels, longRunning: isLong };
}

function routeOf(labels: RequestLabels): Route {
  const key = `${labels.verb}\u0000${labels.dry_run}\u0000${labels.group}\u0000${labels.version}\u0000${labels.resource}\u0000${labels.subresource}\u0000${labels.scope}`;
  let r = routes.get(key);
  if (!r) routes.set(key, (r = { key, labels, duration: requestDuration.seriesOf(labels), totals: new Map() }));
  return r;
}

function countOf(r: Route, code: number): ReturnType<typeof requestCount> {
  let c = r.totals.get(code);
  if (!c) r.totals.set(code, (c = requestCount(`${r.key}\u0000${code}`, () => ({ ...r.labels, code: String(code) }))));
  return c;
}

/** Wraps the server's `request` listener. */
export function instrumentRequests(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const start = performance.now();
    const { labels, longRunning: isLong } = labelsOf(req);
    const route = routeOf(labels);
    const kind = READ_ONLY.has(req.method ?? 'GET') ? 'readOnly' : 'mutating';
    const { verb, group, version, resource, subresource, scope, component } = labels;
    if (isLong) longRunning.inc({ verb, group, version, resource, subresource, scope, component });
    else addInflight(kind, 1);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      countOf(route, res.statusCode).n++;
      if (isLong) {
        longRunning.dec({ verb, group, version, resource, subresource, scope, component });
      } else {
        addInflight(kind, -1);
        requestDuration.observe(route.duration, (performance.now() - start) / 1000);
      }
    };
    res.once('finish', end);
    res.once('close', end);
    handler(req, res);
  };
}
