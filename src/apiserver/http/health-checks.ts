/**
 * /healthz, /livez and /readyz as k8s.io/apiserver's healthz handlers: each runs its named checks;
 * all passing answers `ok`, or with `?verbose` a `[+]name ok` line per check and "<endpoint> check
 * passed"; a failing one answers 500 with `[-]name failed: reason withheld` and "<endpoint> check
 * failed" (verbose or not); `?exclude=name` (repeatable) leaves a check out; /readyz/NAME runs one
 * check (404 for a name not registered). Bosun's checks: `ping` and `log` (as upstream, they pass
 * while the server answers at all), and on /readyz `shutdown`, failing once the server is stopping.
 */
import type { ServerResponse } from 'node:http';
import { writeText } from './respond.js';

export interface HealthCheck {
  name: string;
  check: () => boolean;
  /** Why it fails, shown by /<endpoint>/<name> only (the list withholds it, as upstream). */
  reason?: string;
}

const always = (name: string): HealthCheck => ({ name, check: () => true });

/** The checks of each endpoint; `ready` is false once the server is shutting down. */
export function healthChecks(endpoint: 'healthz' | 'livez' | 'readyz', ready: () => boolean): HealthCheck[] {
  const base = [always('ping'), always('log')];
  return endpoint === 'readyz' ? [...base, { name: 'shutdown', check: ready, reason: 'process is shutting down' }] : base;
}

/** Answers GET /<endpoint>[/<check>]; `sub` is the check's name when the path names one. */
export function serveHealth(res: ServerResponse, endpoint: string, checks: HealthCheck[], sub: string | undefined, query: URLSearchParams): void {
  if (sub) {
    const one = checks.find((c) => c.name === sub);
    if (!one) return writeText(res, 404, '404 page not found\n');
    return one.check() ? writeText(res, 200, 'ok') : writeText(res, 500, `internal server error: ${one.reason ?? 'check failed'}\n`);
  }
  const excluded = new Set(query.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const ok = c.check();
    failed ||= !ok;
    lines.push(ok ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`);
  }
  if (failed) return writeText(res, 500, `${lines.join('\n')}\n${endpoint} check failed\n`);
  if (!query.has('verbose')) return writeText(res, 200, 'ok');
  writeText(res, 200, `${lines.join('\n')}\n${endpoint} check passed\n`);
}
