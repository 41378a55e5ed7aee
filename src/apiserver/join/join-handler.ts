/**
 * The join endpoints, served on the API server's HTTPS port before authentication decides:
 *   GET  /cacerts                    the CA bundle, anonymous (as k3s): the agent checks it against
 *                                    the token's pin before trusting anything else from the server
 *   POST /bosun/v1/node-credentials  {nodeName, password, addresses?} with
 *                                    `Authorization: Bearer <token secret>` -> NodeCredentials
 * The join secret is not an API credential: it is accepted only here, never on resource paths.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, failure } from '../../api/status.js';
import type { UserInfo } from '../http/authn.js';
import { readBody } from '../http/body.js';
import { writeBody } from '../http/respond.js';
import type { Pki } from '../pki/pki.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { issueNodeCredentials, validateCredentialRequest, type NodeCredentialRequest } from './node-credentials.js';
import type { NodePasswords } from './node-passwords.js';

export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/bosun/v1/node-credentials';

export interface JoinHandlerOptions {
  pki: Pki;
  /** The join token's secret. */
  secret: string;
  passwords: NodePasswords;
  /** The nodes storage: a name whose Node was deleted may be joined anew (as k3s). */
  nodes?: () => ResourceStorage | undefined;
  /**
   * Nodes that may ask for the Ingress controller's credential (`*`: every node). It reads every
   * Secret in the cluster, which no node identity may, so a joined node gets it only where the
   * server's operator said so (--agent-ingress-nodes); default none.
   */
  ingressNodes?: readonly string[];
  /** Called after credentials were issued (logging). */
  onJoin?: (nodeName: string) => void;
}

function secretMatches(req: IncomingMessage, secret: string): boolean {
  const auth = req.headers.authorization ?? '';
  if (!/^bearer /i.test(auth)) return false;
  const given = Buffer.from(auth.slice(7).trim());
  const want = Buffer.from(secret);
  return given.length === want.length && timingSafeEqual(given, want);
}

interface NodeLike { status?: { addresses?: { type?: string; address?: string }[] } }

/** The stored Node; null when there is none; undefined when nodes are not served (unknown). */
async function storedNode(nodes: ResourceStorage | undefined, name: string): Promise<NodeLike | null | undefined> {
  if (!nodes) return undefined;
  const ctx: RequestContext = { user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [] };
  try {
    return (await nodes.get(ctx, undefined, name)) as NodeLike;
  } catch (err) {
    if (isStatusError(err, 404)) return null;
    throw err;
  }
}

/** Addresses the server ties to the node: where the request came from, and its Node's IPs. */
function nodeAddresses(req: IncomingMessage, node: NodeLike | null | undefined): string[] {
  const ips = (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address ?? '');
  return [req.socket.remoteAddress ?? '', ...ips].filter(Boolean);
}

/** A router extra handler: answers the join paths, returns false for everything else. */
export function createJoinHandler(o: JoinHandlerOptions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, _user: UserInfo | undefined): Promise<boolean> => {
    const method = req.method ?? 'GET';
    if (url.pathname === CACERTS_PATH) {
      if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(`${method} is not supported on ${CACERTS_PATH}`);
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Content-Length': Buffer.byteLength(o.pki.ca.cert) });
      res.end(method === 'HEAD' ? undefined : o.pki.ca.cert);
      return true;
    }
    if (url.pathname !== NODE_CREDENTIALS_PATH) return false;
    if (method !== 'POST') throw errors.methodNotAllowed(`${method} is not supported on ${NODE_CREDENTIALS_PATH}`);
    if (!secretMatches(req, o.secret)) throw errors.unauthorized('a valid join token is required');
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
    } catch {
      throw errors.badRequest('the body must be JSON');
    }
    const problem = validateCredentialRequest(body);
    if (problem) throw errors.badRequest(problem);
    const r = body as NodeCredentialRequest;
    if (r.ingress === true && !(o.ingressNodes ?? []).some((n) => n === '*' || n === r.nodeName)) {
      throw failure(403, 'Forbidden', `node "${r.nodeName}" may not run the Ingress controller: its credential reads every Secret in the cluster; start the server with --agent-ingress-nodes=${r.nodeName} (or *) to allow it`, { name: r.nodeName, kind: 'nodes' });
    }
    // k3s deletes a node's password with its Node: a deleted node's name is free again.
    const node = await storedNode(o.nodes?.(), r.nodeName);
    if (node === null) o.passwords.forget(r.nodeName);
    if (!o.passwords.check(r.nodeName, r.password)) {
      throw failure(403, 'Forbidden', `node "${r.nodeName}" is already joined by another machine (node password mismatch): use another --node-name`, { name: r.nodeName, kind: 'nodes' });
    }
    writeBody(res, 200, issueNodeCredentials(o.pki, r, nodeAddresses(req, node)));
    o.onJoin?.(r.nodeName);
    return true;
  };
}
