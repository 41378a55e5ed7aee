/**
 * Issues a joining node its credentials from the cluster CA: a client certificate for the node
 * identity (CN=system:node:<name>, O=system:nodes, which the node authorizer confines to its own
 * objects) and a serving certificate for the agent's HTTPS server (the same subject, with the node's
 * names and addresses), as kubelet's client and serving certificates. Keys are generated here, as
 * k3s's server does for its agents.
 */
import { issueCertificate, type KeyPair } from '../pki/certs.js';
import type { Pki } from '../pki/pki.js';

export interface NodeCredentialRequest {
  nodeName: string;
  /** The agent's own secret; see node-passwords.ts. */
  password: string;
  /** IPs and host names for the serving certificate (the node name is always included). */
  addresses?: string[];
}

/** The answer of POST /bosun/v1/node-credentials. */
export interface NodeCredentials {
  apiVersion: 'bosun.dev/v1';
  kind: 'NodeCredentials';
  nodeName: string;
  caCert: string;
  client: KeyPair;
  serving: KeyPair;
}

const LEAF_DAYS = 365;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IP = /^[\d.]+$|:/;

/** The problem with a request body, or undefined when it is well-formed. */
export function validateCredentialRequest(body: unknown): string | undefined {
  const b = body as Partial<NodeCredentialRequest> | undefined;
  if (!b || typeof b !== 'object') return 'the body must be a JSON object';
  if (typeof b.nodeName !== 'string' || b.nodeName.length > 253 || !DNS1123_SUBDOMAIN.test(b.nodeName)) {
    return 'nodeName must be a lowercase RFC 1123 subdomain (at most 253 characters)';
  }
  if (typeof b.password !== 'string' || b.password.length < 16) return 'password must be a string of at least 16 characters';
  if (b.addresses !== undefined && (!Array.isArray(b.addresses) || b.addresses.some((a) => typeof a !== 'string' || a.length === 0 || a.length > 253))) {
    return 'addresses must be a list of host names and IP addresses';
  }
  return undefined;
}

export function issueNodeCredentials(pki: Pki, req: NodeCredentialRequest): NodeCredentials {
  const subject = { commonName: `system:node:${req.nodeName}`, organizations: ['system:nodes'] };
  const names = [...new Set([req.nodeName, ...(req.addresses ?? [])])];
  return {
    apiVersion: 'bosun.dev/v1',
    kind: 'NodeCredentials',
    nodeName: req.nodeName,
    caCert: pki.ca.cert,
    client: issueCertificate({ ...subject, usage: 'client', validDays: LEAF_DAYS }, pki.ca),
    serving: issueCertificate({
      ...subject, usage: 'server', validDays: LEAF_DAYS,
      dnsNames: names.filter((n) => !IP.test(n)), ips: names.filter((n) => IP.test(n)),
    }, pki.ca),
  };
}
