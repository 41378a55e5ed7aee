/**
 * The web console's static files, served on the API port under /console/ (issue 18). The files are
 * the page's code only: they carry no data and no privileges, so they are served to anonymous
 * clients; everything the page shows it asks the API for with the user's own bearer token.
 *
 * Every answer carries a strict Content-Security-Policy: scripts and styles only from these files
 * (no inline script, no eval), network requests only to this origin (the API, its watches and the
 * exec WebSocket), no frames, no forms, no plugins. No cookies are set or read anywhere, so there is
 * nothing a cross-site request could ride on.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PATH = '/console';

/** The policy on every console answer (also checked by the browser test). */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * dist/console: next to this module's compiled folder (dist/apiserver/console); when running from
 * the sources (tests under tsx), the built copy in the repository's dist/.
 */
export function defaultConsoleDir(): string {
  const besideBuild = fileURLToPath(new URL('../../console/', import.meta.url));
  if (existsSync(join(besideBuild, 'app.js'))) return besideBuild;
  return fileURLToPath(new URL('../../../dist/console/', import.meta.url));
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

/**
 * An extra handler for the router (runs before authentication decides): answers GET/HEAD under
 * /console, returns false for every other path. `dir` holds index.html and the bundle.
 */
export function createConsoleHandler(dir = defaultConsoleDir()): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer | undefined => {
    let body = cache.get(file);
    if (!body) {
      if (!existsSync(file) || !statSync(file).isFile()) return undefined;
      body = readFileSync(file);
      cache.set(file, body);
    }
    return body;
  };
  return (req, res, url) => {
    const p = url.pathname;
    if (p !== CONSOLE_PATH && !p.startsWith(`${CONSOLE_PATH}/`)) return false;
    securityHeaders(res);
    if (p === CONSOLE_PATH) {
      res.writeHead(301, { Location: `${CONSOLE_PATH}/`, 'Content-Length': 0 });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
      res.end();
      return true;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(p.slice(CONSOLE_PATH.length + 1)) || 'index.html';
    } catch {
      rel = 'index.html';
    }
    const file = normalize(join(root, rel));
    // Only files of the bundle's folder; an unknown path is the page itself (its router reads the hash).
    const body = file.startsWith(root) && TYPES[extname(file)] ? read(file) : undefined;
    const served = body ? file : join(root, 'index.html');
    const payload = body ?? read(served);
    if (!payload) {
      const msg = 'the console is not built: run `npm run build`';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(msg) });
      res.end(msg);
      return true;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(served)] ?? 'application/octet-stream',
      'Content-Length': payload.length,
      // index.html names the bundle without a hash: revalidate everything (a restart may ship a new one).
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
    return true;
  };
}
