/**
 * Who calls the agent's server and whether they may, as the kubelet's webhook modes
 * (--authentication-token-webhook, --authorization-mode=Webhook; upstream pkg/kubelet/server/server.go
 * InstallAuthFilter): a client certificate from the cluster CA names the caller (CN user, O groups);
 * otherwise a bearer token is reviewed by the API server (TokenReview); neither is 401
 * `Unauthorized` (anonymous requests are refused, as with --anonymous-auth=false). The caller is then
 * authorized for the request's node attributes (node-attributes.ts) by a SubjectAccessReview: 403
 * `Forbidden (user=..., verb=..., resource=..., subresource=...)` when denied, 500 `Authorization
 * error (...)` when the review fails. Bodies are plain text, as the kubelet's.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { nodeRequestAttributes, type NodeAttributes } from './node-attributes.js';

export interface Caller {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** The two questions the agent asks the API server (webhook-reviews.ts), or a local stand-in. */
export interface CallerReviews {
  /** The user a bearer token belongs to; undefined when the token is not valid. */
  authenticateToken(token: string): Promise<Caller | undefined>;
  /** Whether `caller` may do `attrs` (throws when the question cannot be answered). */
  authorize(caller: Caller, attrs: NodeAttributes): Promise<boolean>;
}

/** A refusal: HTTP status and the kubelet's text body. */
export class CallerRefused extends Error {
  constructor(readonly code: 401 | 403 | 500, message: string) {
    super(message);
  }
}

function certificateCaller(req: IncomingMessage): Caller | undefined | 'bad' {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate?.();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  // A certificate that does not chain to the cluster CA fails authentication (upstream's x509 authenticator errors).
  if (!socket.authorized) return 'bad';
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const name = list(cert.subject?.CN)[0];
  return name ? { name, groups: list(cert.subject?.O) } : 'bad';
}

function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** The authenticated caller, or a CallerRefused(401). */
export async function authenticateCaller(req: IncomingMessage, reviews: CallerReviews): Promise<Caller> {
  const fromCert = certificateCaller(req);
  if (fromCert === 'bad') throw new CallerRefused(401, 'Unauthorized');
  if (fromCert) return fromCert;
  const token = bearerToken(req);
  if (!token) throw new CallerRefused(401, 'Unauthorized');
  let user: Caller | undefined;
  try {
    user = await reviews.authenticateToken(token);
  } catch {
    throw new CallerRefused(401, 'Unauthorized');
  }
  if (!user) throw new CallerRefused(401, 'Unauthorized');
  return user;
}

/** Authenticates and authorizes `req` for this node; throws CallerRefused. */
export async function checkCaller(req: IncomingMessage, nodeName: string, reviews: CallerReviews): Promise<Caller> {
  const caller = await authenticateCaller(req, reviews);
  const path = new URL(req.url ?? '/', 'https://agent.invalid').pathname;
  const attrs = nodeRequestAttributes(req.method ?? 'GET', path, nodeName);
  const what = `user=${caller.name}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource}`;
  let allowed: boolean;
  try {
    allowed = await reviews.authorize(caller, attrs);
  } catch {
    throw new CallerRefused(500, `Authorization error (${what})`);
  }
  if (!allowed) throw new CallerRefused(403, `Forbidden (${what})`);
  return caller;
}

/**
 * Without an API server to ask (unit tests, a standalone agent): no tokens, and only members of
 * system:masters (the API server's kubelet client) are allowed, as kube-apiserver answers for them.
 */
export const mastersOnly: CallerReviews = {
  authenticateToken: async () => undefined,
  authorize: async (caller) => caller.groups.includes('system:masters'),
};
