/**
 * The routing table of the handled Ingresses, as the networking.k8s.io/v1 API documents it: a rule's
 * host is precise (`foo.bar.com`, equal to the request's Host without its port) or a wildcard
 * (`*.bar.com`, exactly one label more than `bar.com`), or absent (any host); paths are `Exact`
 * (the whole path, case-sensitive), `Prefix` (element-wise on `/`: `/foo` matches `/foo` and
 * `/foo/bar`, not `/foobar`; `/foo/` and `/foo` both match `/foo`) or `ImplementationSpecific`
 * (here: Prefix, as Traefik and ingress-nginx treat it for plain paths).
 *
 * Precedence, where the API leaves it to the implementation, follows Traefik (k3s's default
 * controller), whose rule priority grows with the rule's specificity: a precise host beats a
 * wildcard, which beats no host; then the longest path wins ("the longest matching path is given
 * priority"), Exact before Prefix of the same length; then the oldest Ingress (ingress-nginx's
 * tie-break), then namespace/name. A request no rule matches goes to a `spec.defaultBackend` (the
 * oldest Ingress's that has one), else 404. Pure: the controller rebuilds the table on every change.
 *
 * HTTP to HTTPS, as ingress-nginx by default: a plain-HTTP request for a host some handled Ingress
 * lists under spec.tls (a wildcard TLS host covering it too) is answered 308 to https, unless the
 * Ingress whose rule matched says `nginx.ingress.kubernetes.io/ssl-redirect: "false"`;
 * `nginx.ingress.kubernetes.io/force-ssl-redirect: "true"` redirects without TLS. ACME HTTP-01
 * challenges (/.well-known/acme-challenge, ingress-nginx's no-tls-redirect-locations) never are.
 */
import type { Ingress } from '../api/kinds/networking/ingress.js';

/** A Service backend as an Ingress names it, in the Ingress's namespace. */
export interface BackendRef {
  namespace: string;
  service: string;
  /** spec...service.port: by number or by the Service port's name. */
  port: { number?: number; name?: string };
}

/** What a rule or a defaultBackend routes to: a Service, or a backend this controller cannot serve. */
export type RouteTarget = ({ kind: 'service'; ref: BackendRef } | { kind: 'unsupported'; reason: string }) & { ingress: string; redirect: RedirectPolicy };

/** The matched Ingress's HTTPS redirect annotations. */
export interface RedirectPolicy {
  /** ssl-redirect: redirect when the host has TLS (default true). */
  ssl: boolean;
  /** force-ssl-redirect: redirect even without TLS (default false). */
  force: boolean;
}

export const SSL_REDIRECT_ANNOTATION = 'nginx.ingress.kubernetes.io/ssl-redirect';
export const FORCE_SSL_REDIRECT_ANNOTATION = 'nginx.ingress.kubernetes.io/force-ssl-redirect';
const ACME_CHALLENGE = ['.well-known', 'acme-challenge'];

interface Route {
  host: string | undefined;
  hostRank: number;
  exact: boolean;
  path: string;
  /** Path elements of a Prefix path. */
  elements: string[];
  target: RouteTarget;
  /** Ingress order (oldest first), the last tie-break. */
  order: number;
}

export class RouteTable {
  private readonly routes: Route[] = [];
  private readonly defaultTarget: RouteTarget | undefined;
  /** Hosts (lowercase; `*.x` wildcards) listed under some Ingress's spec.tls. */
  private readonly tlsHosts: string[] = [];

  /** `ingresses`: those this controller handles; order does not matter. */
  constructor(ingresses: readonly Ingress[]) {
    const sorted = [...ingresses].sort(ingressOrder);
    let def: RouteTarget | undefined;
    sorted.forEach((ing, order) => {
      const ns = ing.metadata.namespace ?? 'default';
      const id = `${ns}/${ing.metadata.name ?? ''}`;
      const a = ing.metadata.annotations ?? {};
      const redirect: RedirectPolicy = { ssl: a[SSL_REDIRECT_ANNOTATION] !== 'false', force: a[FORCE_SSL_REDIRECT_ANNOTATION] === 'true' };
      for (const t of ing.spec?.tls ?? []) for (const h of t.hosts ?? []) this.tlsHosts.push(h.toLowerCase());
      if (!def && ing.spec?.defaultBackend) def = targetOf(ing.spec.defaultBackend, ns, id, redirect);
      for (const rule of ing.spec?.rules ?? []) {
        const host = rule.host ? rule.host.toLowerCase() : undefined;
        const hostRank = host === undefined ? 0 : host.startsWith('*.') ? 1 : 2;
        for (const p of rule.http?.paths ?? []) {
          const path = p.path ?? '/';
          this.routes.push({
            host, hostRank, path, exact: p.pathType === 'Exact', elements: elementsOf(path),
            target: targetOf(p.backend, ns, id, redirect), order,
          });
        }
      }
    });
    this.defaultTarget = def;
    // Best first: then the first match is the answer.
    this.routes.sort((a, b) => b.hostRank - a.hostRank || b.path.length - a.path.length || Number(b.exact) - Number(a.exact) || a.order - b.order);
  }

  /** The target of a request for `hostHeader` (port allowed) and `rawPath` (query allowed), or undefined: 404. */
  match(hostHeader: string | undefined, rawPath: string): RouteTarget | undefined {
    const host = hostOnly(hostHeader ?? '');
    const path = pathOnly(rawPath);
    let reqElements: string[] | undefined;
    for (const r of this.routes) {
      if (!hostMatches(r.host, host)) continue;
      if (r.exact) {
        if (path === r.path) return r.target;
        continue;
      }
      reqElements ??= elementsOf(path);
      if (isElementPrefix(r.elements, reqElements)) return r.target;
    }
    return this.defaultTarget;
  }

  /**
   * Whether a plain-HTTP request for `hostHeader` and `rawPath` that `target` matched is redirected
   * to https (see the file comment).
   */
  redirectsToHttps(target: RouteTarget, hostHeader: string | undefined, rawPath: string): boolean {
    if (isElementPrefix(ACME_CHALLENGE, elementsOf(pathOnly(rawPath)))) return false;
    if (target.redirect.force) return true;
    const host = hostOnly(hostHeader ?? '');
    return target.redirect.ssl && this.tlsHosts.some((h) => hostMatches(h, host));
  }

  /** Every Service backend the table names (for the controller to watch their endpoints). */
  backends(): BackendRef[] {
    const all = [...this.routes.map((r) => r.target), ...(this.defaultTarget ? [this.defaultTarget] : [])];
    return all.flatMap((t) => (t.kind === 'service' ? [t.ref] : []));
  }
}

/** Whether `host` (lowercase, no port) matches a rule's host (undefined: any). */
export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined) return true;
  if (!ruleHost.startsWith('*.')) return ruleHost === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === ruleHost.slice(2);
}

/** The Host header without its port, lowercase; `[v6]:port` keeps the brackets' content. */
export function hostOnly(h: string): string {
  const s = h.trim().toLowerCase();
  if (s.startsWith('[')) return s.slice(1, s.indexOf(']') > 0 ? s.indexOf(']') : undefined);
  const colon = s.indexOf(':');
  const name = colon >= 0 ? s.slice(0, colon) : s;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function pathOnly(raw: string): string {
  const q = raw.search(/[?#]/);
  const p = q >= 0 ? raw.slice(0, q) : raw;
  return p.startsWith('/') ? p : `/${p}`;
}

function elementsOf(path: string): string[] {
  return path.split('/').filter((e) => e !== '');
}

function isElementPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

type IngressBackend = NonNullable<NonNullable<Ingress['spec']>['defaultBackend']>;

function targetOf(b: IngressBackend | undefined, namespace: string, ingress: string, redirect: RedirectPolicy): RouteTarget {
  if (b?.service?.name) {
    const port = b.service.port ?? {};
    return { kind: 'service', ingress, redirect, ref: { namespace, service: b.service.name, port: { number: port.number, name: port.name } } };
  }
  return { kind: 'unsupported', ingress, redirect, reason: b?.resource ? `resource backend ${b.resource.kind ?? ''} is not supported` : 'no backend' };
}

function ingressOrder(a: Ingress, b: Ingress): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
