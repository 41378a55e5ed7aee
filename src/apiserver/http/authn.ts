/**
 * Authentication: a client certificate signed by the cluster CA (CN = user, O = groups), or a bearer
 * token checked by an optional hook (service account tokens: src/apiserver/serviceaccount).
 *
 * As kube-apiserver's (pkg/kubeapiserver/authenticator/config.go): a request that presents no
 * credential is `system:anonymous` in `system:unauthenticated` when anonymous authentication is on
 * (--anonymous-auth, the default), and RBAC decides what it may do (system:public-info-viewer:
 * the health checks and /version). A credential that fails (a certificate the CA did not sign, a
 * token no authenticator accepts) is never anonymous: it is 401, as upstream's
 * union.NewFailOnError(authenticators, anonymous).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { websocketBearerToken } from './websocket-token.js';

export interface UserInfo {
  name: string;
  groups: string[];
  /** A unique value for this user across time (a ServiceAccount's uid), when the authenticator knows one. */
  uid?: string;
  /** What the authenticator adds (a service account token's authentication.kubernetes.io/pod-name...). */
  extra?: Record<string, string[]>;
}

/** Resolves a bearer token to a user, or undefined when the token is not valid. */
export type TokenAuthenticator = (token: string) => Promise<UserInfo | undefined> | UserInfo | undefined;

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// The peer certificate cannot change on a connection (no renegotiation), and reading it is costly:
// remember the user per socket.
// `'failed'`: a certificate was presented that the CA did not sign.
const socketUsers = new WeakMap<object, UserInfo | 'failed' | null>();

/** The user anonymous authentication gives a request without credentials (k8s.io/apiserver/pkg/authentication/request/anonymous). */
export const anonymousUser = (): UserInfo => ({ name: 'system:anonymous', groups: ['system:unauthenticated'] });

/**
 * The user of a verified client certificate (the socket was set up with the CA and requestCert);
 * `'failed'` when the certificate does not verify (upstream's x509 authenticator errs: 401).
 */
export function certificateUser(req: IncomingMessage): UserInfo | 'failed' | undefined {
  const socket = req.socket as TLSSocket;
  const known = socketUsers.get(socket);
  if (known !== undefined) return known ?? undefined;
  const user = readCertificateUser(socket);
  socketUsers.set(socket, user ?? null);
  return user;
}

function readCertificateUser(socket: TLSSocket): UserInfo | 'failed' | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!socket.authorized) return 'failed';
  // A verified certificate without a common name gives no user (CommonNameUserConversion), not an error.
  const cn = cert.subject?.CN;
  if (!cn) return undefined;
  const name = Array.isArray(cn) ? cn[0]! : cn;
  return { name, groups: [...new Set([...asList(cert.subject.O), 'system:authenticated'])] };
}

const authenticated = (user: UserInfo): UserInfo => ({ ...user, groups: [...new Set([...user.groups, 'system:authenticated'])] });

/**
 * Authenticates a request: its user; the anonymous user when it carries no credential and
 * `anonymous` is on (the default); undefined when it must be refused with 401 (a credential that
 * failed, or none with anonymous authentication off).
 */
export async function authenticate(req: IncomingMessage, tokens?: TokenAuthenticator, anonymous = true): Promise<UserInfo | undefined> {
  const fromCert = certificateUser(req);
  if (fromCert === 'failed') return undefined;
  if (fromCert) return fromCert;
  const auth = req.headers.authorization;
  // As upstream's bearertoken authenticator: another scheme, or an empty token, is no credential.
  const bearer = auth && /^bearer /i.exec(auth) ? auth.slice(7).trim().split(' ')[0] : undefined;
  if (tokens && bearer) {
    const user = await tokens(bearer);
    return user && authenticated(user);
  }
  // Browsers' WebSockets cannot send an Authorization header: the token rides in a subprotocol.
  const ws = tokens && !bearer ? websocketBearerToken(req) : undefined;
  if (ws) {
    const user = await tokens!(ws.token);
    if (!user) return undefined;
    ws.strip();
    return authenticated(user);
  }
  return anonymous ? anonymousUser() : undefined;
}

