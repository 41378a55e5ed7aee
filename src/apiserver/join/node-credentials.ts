/**
 * Issues a joining node its credentials from the cluster CA: a client certificate for the node
 * identity (CN=system:node:<name>, O=system:nodes, which the node authorizer confines to its own
 * objects) and a serving certificate for the agent's HTTPS server (the same subject), as kubelet's
 * client and serving certificates. Keys are generated here, as k3s's server does for its agents.
 *
 * The server, not the node, decides what the serving certificate names, as upstream's
 * kubelet-serving signer only approves SANs that belong to the node: the DNS name is the node name
 * (the identity the join proved with the node password), and IP addresses are only those the node
 * asked for that are also the address the request came from or an InternalIP/ExternalIP of its
 * existing Node. A joining node cannot get a certificate for `kubernetes`, another node's name or
 * another node's address.
 *
 * As k3s hands its agents client-kube-proxy.crt, the node also gets the client certificates of the
 * two components it runs beside the agent, so that neither acts as the node: the service proxy as
 * user system:kube-proxy (bound to system:node-proxier) and the cluster DNS as service account
 * kube-system/kube-dns (bound to system:kube-dns), both read-only. The DNS server's own
 * EndpointSlice is still written with the node credential, which the node authorizer confines to
 * that one slice (dns-endpoint.ts). A node that runs the built-in Ingress controller asks for a third,
 * service account kube-system/bosun-ingress (bound to system:bosun-ingress: it reads every TLS Secret
 * and writes Ingress status, which the node identity may not), issued only to a node that asks.
 */
import { parseIP } from '../../api/net/ip.js';
import { issueCertificate, type KeyPair } from '../pki/certs.js';
import type { Pki } from '../pki/pki.js';

export interface NodeCredentialRequest {
  nodeName: string;
  /** The agent's own secret; see node-passwords.ts. */
  password: string;
  /** IPs for the serving certificate; only those the server can tie to the node are signed. */
  addresses?: string[];
  /** Also issue the Ingress controller's certificate (the node runs it: --ingress-http-port). */
  ingress?: boolean;
}

/** The answer of POST /bosun/v1/node-credentials. */
export interface NodeCredentials {
  apiVersion: 'bosun.dev/v1';
  kind: 'NodeCredentials';
  nodeName: string;
  caCert: string;
  client: KeyPair;
  serving: KeyPair;
  /** The service proxy's client certificate (NODE_COMPONENT_SUBJECTS.proxy). */
  proxy: KeyPair;
  /** The cluster DNS server's client certificate (NODE_COMPONENT_SUBJECTS.dns). */
  dns: KeyPair;
  /** The Ingress controller's client certificate (NODE_COMPONENT_SUBJECTS.ingress), when asked for. */
  ingress?: KeyPair;
}

/** Identities of the components a node runs beside its agent (CN = user, O = groups). */
export const NODE_COMPONENT_SUBJECTS: Readonly<Record<'proxy' | 'dns' | 'ingress', { commonName: string; organizations: string[] }>> = {
  proxy: { commonName: 'system:kube-proxy', organizations: [] },
  dns: { commonName: 'system:serviceaccount:kube-system:kube-dns', organizations: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] },
  ingress: { commonName: 'system:serviceaccount:kube-system:bosun-ingress', organizations: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] },
};

const LEAF_DAYS = 365;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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
  if (b.ingress !== undefined && typeof b.ingress !== 'boolean') return 'ingress must be a boolean';
  return undefined;
}

/** The IPs of `requested` that the server vouches for: in `allowedIps` (canonical forms compared). */
export function servingIps(requested: string[], allowedIps: string[]): string[] {
  const allowed = new Set(allowedIps.map(canonicalIp).filter((ip): ip is string => ip !== undefined));
  const out = new Set<string>();
  for (const r of requested) {
    const ip = canonicalIp(r);
    if (ip !== undefined && allowed.has(ip)) out.add(ip);
  }
  return [...out];
}

/** An IP in canonical form (IPv4-mapped IPv6 as IPv4; src/api/net), undefined when `s` is not an IP (zones included). */
export function canonicalIp(s: string): string | undefined {
  return parseIP(s)?.text;
}

/** `allowedIps`: addresses the server knows to be the node's (see the file comment). */
export function issueNodeCredentials(pki: Pki, req: NodeCredentialRequest, allowedIps: string[] = []): NodeCredentials {
  const subject = { commonName: `system:node:${req.nodeName}`, organizations: ['system:nodes'] };
  return {
    apiVersion: 'bosun.dev/v1',
    kind: 'NodeCredentials',
    nodeName: req.nodeName,
    caCert: pki.ca.cert,
    client: issueCertificate({ ...subject, usage: 'client', validDays: LEAF_DAYS }, pki.ca),
    serving: issueCertificate({
      ...subject, usage: 'server', validDays: LEAF_DAYS,
      dnsNames: [req.nodeName], ips: servingIps(req.addresses ?? [], allowedIps),
    }, pki.ca),
    proxy: issueCertificate({ ...NODE_COMPONENT_SUBJECTS.proxy, usage: 'client', validDays: LEAF_DAYS }, pki.ca),
    dns: issueCertificate({ ...NODE_COMPONENT_SUBJECTS.dns, usage: 'client', validDays: LEAF_DAYS }, pki.ca),
    ...(req.ingress === true ? { ingress: issueCertificate({ ...NODE_COMPONENT_SUBJECTS.ingress, usage: 'client', validDays: LEAF_DAYS }, pki.ca) } : {}),
  };
}
