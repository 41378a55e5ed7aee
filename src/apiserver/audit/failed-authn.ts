/**
 * What the audit log says of a request whose authentication failed (upstream's
 * staging/src/k8s.io/apiserver/pkg/endpoints/filters/authn_audit.go getAuthMethods): the kinds of
 * credential it carried, never their values.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Go's http.Request.BasicAuth: "Basic " (any case), base64 of "user:password". */
function hasBasicAuth(auth: string): boolean {
  if (auth.length < 6 || auth.slice(0, 6).toLowerCase() !== 'basic ') return false;
  const b64 = auth.slice(6);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
  return Buffer.from(b64, 'base64').toString('latin1').includes(':');
}

function presentedCertificate(req: IncomingMessage): boolean {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return false;
  const cert = socket.getPeerCertificate();
  return !!cert && Object.keys(cert).length > 0;
}

/** "Authentication failed, attempted: basic, bearer, access_token, x509" (those present), or "..., no credentials provided". */
export function failedAuthenticationMessage(req: IncomingMessage, url: URL): string {
  const methods: string[] = [];
  const header = req.headers.authorization ?? '';
  if (hasBasicAuth(header)) methods.push('basic');
  const parts = header.trim().split(' ');
  if (parts.length > 1 && parts[0]!.toLowerCase() === 'bearer') methods.push('bearer');
  if ((url.searchParams.get('access_token') ?? '').trim()) methods.push('access_token');
  if (presentedCertificate(req)) methods.push('x509');
  return methods.length > 0 ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}
