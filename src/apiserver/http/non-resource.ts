/**
 * Non-resource endpoints: /version, health checks, discovery and OpenAPI. Discovery never answers 406:
 * aggregated discovery when asked for, plain JSON otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../api/status.js';
import { aggregatedContentType, aggregatedDiscovery, wantsAggregated } from '../discovery/aggregated.js';
import type { ApiCatalog } from '../discovery/catalog.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from '../discovery/legacy.js';
import type { OpenApiDocs } from '../openapi/documents.js';
import { parseAccept } from './media.js';
import { healthChecks, serveHealth } from './health-checks.js';
import { writeBody, writeText } from './respond.js';

/** The Kubernetes API level Bosun implements; kubectl's dispatcher picks its binary by `minor`. */
export const KUBE_VERSION = { major: '1', minor: '32', patch: '0' };

export interface NonResourceDeps {
  catalog: ApiCatalog;
  openapi: () => OpenApiDocs;
  /** host:port clients used to reach us (for serverAddressByClientCIDRs). */
  hostPort: (req: IncomingMessage) => string;
  bosunVersion: string;
  /** Readiness: false answers 500 on /readyz. */
  ready?: () => boolean;
  /** Remote APIServices' groups (src/apiserver/aggregator/remote-discovery.ts), merged into /apis. */
  remoteDiscovery?: RemoteDiscoveryDocs;
  /** GET /metrics (Prometheus text; authorized as the non-resource URL /metrics like any other path). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** GET /debug/api_priority_and_fairness/* (flowcontrol/debug-dump.ts): the text of a path, undefined when not one. */
  apfDebug?: (path: string, query: URLSearchParams) => string | undefined;
}

export interface RemoteDiscoveryDocs {
  mergeGroupList(doc: object): void;
  mergeAggregated(doc: object): void;
  group(name: string): object | undefined;
}

export function versionInfo(bosunVersion: string): object {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: `v${KUBE_VERSION.major}.${KUBE_VERSION.minor}.${KUBE_VERSION.patch}-bosun.${bosunVersion}`,
    gitCommit: 'bosun',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

function discovery(res: ServerResponse, req: IncomingMessage, aggregated: () => object, legacy: () => object): void {
  res.setHeader('Vary', 'Accept');
  const v = wantsAggregated(req.headers.accept);
  if (v) return writeBody(res, 200, { ...aggregated(), apiVersion: `apidiscovery.k8s.io/${v}` }, 'json', aggregatedContentType(v));
  writeBody(res, 200, legacy());
}

/** Answers a non-resource path; returns false when the path is not one of ours. */
export function handleNonResource(req: IncomingMessage, res: ServerResponse, pathname: string, deps: NonResourceDeps): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const { catalog } = deps;
  const metrics = deps.metrics;
  if (path === '/metrics' && metrics) {
    void metrics().then(({ contentType, body }) => {
      if (res.headersSent || res.writableEnded) return;
      res.writeHead(200, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    }, (err: unknown) => writeText(res, 500, `metrics: ${String(err)}`));
    return true;
  }
  if (deps.apfDebug && path.startsWith('/debug/api_priority_and_fairness/')) {
    const text = deps.apfDebug(path, new URL(req.url ?? '/', 'https://apiserver.invalid').searchParams);
    if (text === undefined) return false;
    writeText(res, 200, text);
    return true;
  }
  if (path === '/version') {
    writeBody(res, 200, versionInfo(deps.bosunVersion));
    return true;
  }
  const health = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
  if (health) {
    const endpoint = health[1] as 'healthz' | 'livez' | 'readyz';
    const query = new URL(req.url ?? '/', 'https://apiserver.invalid').searchParams;
    serveHealth(res, endpoint, healthChecks(endpoint, () => deps.ready?.() ?? true), health[2], query);
    return true;
  }
  if (path === '/api') {
    discovery(res, req, () => aggregatedDiscovery(catalog, true, 'v2'), () => apiVersions(deps.hostPort(req)));
    return true;
  }
  if (path === '/apis') {
    const remote = deps.remoteDiscovery;
    const merged = <T extends object>(doc: T, merge?: (d: object) => void): T => {
      merge?.(doc);
      return doc;
    };
    discovery(res, req, () => merged(aggregatedDiscovery(catalog, false, 'v2'), remote?.mergeAggregated.bind(remote)), () => merged(apiGroupList(catalog), remote?.mergeGroupList.bind(remote)));
    return true;
  }
  let m = /^\/apis\/([^/]+)$/.exec(path);
  if (m) {
    const doc = apiGroupDoc(catalog, m[1]!) ?? deps.remoteDiscovery?.group(m[1]!);
    if (!doc) return false;
    writeBody(res, 200, doc);
    return true;
  }
  m = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
  if (m) {
    const [g, v] = path.startsWith('/api/') ? ['', m[1]!] : m[1]!.split('/') as [string, string];
    const doc = apiResourceList(catalog, g, v);
    if (!doc) return false;
    writeBody(res, 200, doc);
    return true;
  }
  if (path === '/openapi/v3') {
    writeBody(res, 200, deps.openapi().index);
    return true;
  }
  m = /^\/openapi\/v3\/(.+)$/.exec(path);
  if (m) {
    const doc = deps.openapi().groupVersion.get(m[1]!);
    if (!doc) return false;
    res.setHeader('Cache-Control', 'no-cache, private');
    writeBody(res, 200, doc);
    return true;
  }
  if (path === '/openapi/v2' || path === '/swagger.json') {
    serveOpenApiV2(req, res, deps.openapi());
    return true;
  }
  return false;
}

/** The gnostic protobuf media types (current and deprecated spelling); both answer the current one. */
const V2_PROTOBUF = 'com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTOBUF_DEPRECATED = 'com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * /openapi/v2 as kube-openapi's handler negotiates it: the Accept clauses in order, each tried
 * against JSON, then protobuf (so `*\/*` and an absent Accept get JSON); nothing matching is 406.
 */
function serveOpenApiV2(req: IncomingMessage, res: ServerResponse, docs: OpenApiDocs): void {
  res.setHeader('Vary', 'Accept');
  for (const t of parseAccept(req.headers.accept)) {
    if (t.type !== '*' && t.type !== 'application') continue;
    if (t.subtype === '*' || t.subtype === 'json') return writeBody(res, 200, docs.v2);
    if (t.subtype === V2_PROTOBUF || t.subtype === V2_PROTOBUF_DEPRECATED) {
      const body = docs.v2Protobuf;
      res.writeHead(200, { 'Content-Type': `application/${V2_PROTOBUF}`, 'Content-Length': body.length });
      res.end(body);
      return;
    }
  }
  throw errors.notAcceptable('only application/json and application/com.github.proto-openapi.spec.v2.v1.0+protobuf are available for /openapi/v2');
}
