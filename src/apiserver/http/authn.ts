/**
 * Authentication: a client certificate signed by the cluster CA (CN = user, O = groups), or a bearer
 * token checked by an optional hook (service account tokens: src/apiserver/serviceaccount). Health
 * endpoints are open to anonymous clients, as upstream grants them to system:unauthenticated.
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
const socketUsers = new WeakMap<object, UserInfo | null>();

/** The user of a verified client certificate (the socket was set up with the CA and requestCert). */
export function certificateUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as TLSSocket;
  const known = socketUsers.get(socket);
  if (known !== undefined) return known ?? undefined;
  const user = readCertificateUser(socket);
  socketUsers.set(socket, user ?? null);
  return user;
}

function readCertificateUser(socket: TLSSocket): UserInfo | undefined {
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return undefined;
  const name = Array.isArray(cn) ? cn[0]! : cn;
  return { name, groups: [...new Set([...asList(cert.subject.O), 'system:authenticated'])] };
}

/** Authenticates a request; undefined means anonymous. */
export async function authenticate(req: IncomingMessage, tokens?: TokenAuthenticator): Promise<UserInfo | undefined> {
  const fromCert = certificateUser(req);
  if (fromCert) return fromCert;
  const auth = req.headers.authorization;
  if (tokens && auth && /^bearer /i.test(auth)) {
    const user = await tokens(auth.slice(7).trim());
    if (user) return { ...user, groups: [...new Set([...user.groups, 'system:authenticated'])] };
  }
  // Browsers' WebSockets cannot send an Authorization header: the token rides in a subprotocol.
  const ws = tokens && !auth ? websocketBearerToken(req) : undefined;
  if (ws) {
    const user = await tokens!(ws.token);
    if (user) {
      ws.strip();
      return { ...user, groups: [...new Set([...user.groups, 'system:authenticated'])] };
    }
  }
  return undefined;
}

/** Paths anonymous clients may read (upstream's system:public-info-viewer and health checks). */
export function isPublicPath(pathname: string): boolean {
  return /^\/(healthz|livez|readyz)(\/.*)?$/.test(pathname) || pathname === '/version' || pathname === '/version/';
}
