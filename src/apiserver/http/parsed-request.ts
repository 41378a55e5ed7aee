/**
 * A request's URL and resource path, parsed once: the request metrics wrapper (prometheus/
 * request-metrics.ts) and the router both need them, and parsing twice cost about 1.5% of a pod
 * create's CPU. Callers must not modify what they get.
 */
import type { IncomingMessage } from 'node:http';
import { parseResourcePath, type ResourcePath } from './request-info.js';

export interface ParsedRequest {
  url: URL;
  /** The resource path, or undefined for a non-resource path (/healthz, /version, discovery...). */
  p: ResourcePath | undefined;
}

const parsed = new WeakMap<IncomingMessage, ParsedRequest>();

export function parsedRequest(req: IncomingMessage): ParsedRequest {
  let r = parsed.get(req);
  if (!r) {
    const url = new URL(req.url ?? '/', 'https://apiserver.invalid');
    r = { url, p: parseResourcePath(url.pathname) };
    parsed.set(req, r);
  }
  return r;
}
