/**
 * Kubernetes' URL library (k8s.io/apiserver/pkg/cel/library/urls.go): `isURL(string)`, `url(string)`
 * of type kubernetes.URL, and its getScheme, getHost, getHostname, getPort, getEscapedPath and
 * getQuery, parsed as Go's net/url does (go-url.ts).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { escapedPath, parseGoURL, parseQuery, splitHostPort, type GoURL } from './go-url.js';

export class CelURL {
  constructor(readonly text: string, readonly url: GoURL) {}
}

function toURL(s: string): CelURL {
  try {
    // ParseRequestURI decides validity; Parse (which splits the fragment off) gives the parts.
    parseGoURL(s, true);
    return new CelURL(s, parseGoURL(s, false));
  } catch (err) {
    throw new Error(`URL parse error during conversion from string: ${(err as Error).message}`);
  }
}

function isURL(s: string): boolean {
  try {
    parseGoURL(s, true);
    return true;
  } catch {
    return false;
  }
}

export function registerURLLibrary(env: Environment): void {
  const T = 'kubernetes.URL';
  env
    .registerType(T, CelURL)
    .registerFunction(`url(string): ${T}`, toURL)
    .registerFunction('isURL(string): bool', isURL)
    .registerFunction(`${T}.getScheme(): string`, (u: CelURL) => u.url.scheme)
    .registerFunction(`${T}.getHost(): string`, (u: CelURL) => u.url.host)
    .registerFunction(`${T}.getHostname(): string`, (u: CelURL) => splitHostPort(u.url.host)[0])
    .registerFunction(`${T}.getPort(): string`, (u: CelURL) => splitHostPort(u.url.host)[1])
    .registerFunction(`${T}.getEscapedPath(): string`, (u: CelURL) => escapedPath(u.url))
    .registerFunction(`${T}.getQuery(): map<string, list<string>>`, (u: CelURL) => parseQuery(u.url.rawQuery))
    .registerOperator(`${T} == ${T}`, (a: CelURL, b: CelURL) => a.text === b.text);
}
