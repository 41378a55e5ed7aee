/**
 * The node agent that `bosun server` runs for its own machine (unless --disable-agent), so that one
 * command gives a working single-node cluster. It is an ordinary node: it talks to the API server
 * over HTTPS with its own node credential (system:node:<name>, so the node authorizer applies to it
 * as to any joined agent; its proxy and DNS as system:kube-proxy and kube-system/kube-dns), and serves pods/log and exec on its own port with a certificate from the
 * cluster CA.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ApiServer } from '../apiserver/server.js';
import { issueCertificate } from '../apiserver/pki/certs.js';
import { issueClientCertificate } from '../apiserver/pki/pki.js';
import { NODE_COMPONENT_SUBJECTS } from '../apiserver/join/node-credentials.js';
import { KubeClient, kubernetesUserAgent } from '../client/index.js';
import { startClusterNode, type ClusterNode, type ClusterNodeOptions } from './node.js';
import { firstIPv4 } from '../agent/node/machine-info.js';
import { awaitPodCIDR } from '../agent/join/await-pod-cidr.js';
import { DEFAULT_AGENT_PORT } from '../api/defaults.js';
import { applyTo, startCertRenewal, type NodeCertificates } from '../agent/join/cert-renewal.js';

export interface EmbeddedNodeOptions extends Partial<Omit<ClusterNodeOptions, 'client' | 'dataDir' | 'agentServer'>> {
  dataDir: string;
  /** Port of the agent's server (default 10250, 0 picks one). */
  agentPort?: number;
}

export interface EmbeddedNode {
  node: ClusterNode;
  client: KubeClient;
  /** Stops the node (ClusterNode.stop: `keepNetwork` leaves the proxy's rules, routes and masquerade). */
  stop(o?: { keepNetwork?: boolean }): Promise<void>;
}

export async function startEmbeddedNode(api: ApiServer, o: EmbeddedNodeOptions): Promise<EmbeddedNode> {
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  const nodeIP = o.nodeIP ?? firstIPv4();
  const wantsIngress = (o.ingress?.httpPort ?? 0) > 0 || (o.ingress?.httpsPort ?? 0) > 0;
  // Issued afresh at every start (so renewed at start) and again within 90 days of expiry while running.
  const issue = (): NodeCertificates => ({
    client: issueClientCertificate(api.pki, `system:node:${nodeName}`, ['system:nodes']),
    serving: issueCertificate({ commonName: nodeName, dnsNames: [nodeName, 'localhost'], ips: [nodeIP, '127.0.0.1'], usage: 'server', validDays: 365 }, api.pki.ca),
    caCert: api.pki.ca.cert,
    proxy: issueClientCertificate(api.pki, NODE_COMPONENT_SUBJECTS.proxy.commonName, NODE_COMPONENT_SUBJECTS.proxy.organizations),
    dns: issueClientCertificate(api.pki, NODE_COMPONENT_SUBJECTS.dns.commonName, NODE_COMPONENT_SUBJECTS.dns.organizations),
    ...(wantsIngress ? { ingress: issueClientCertificate(api.pki, NODE_COMPONENT_SUBJECTS.ingress.commonName, NODE_COMPONENT_SUBJECTS.ingress.organizations) } : {}),
  });
  const certs = issue();
  const { client: cred, serving } = certs;
  const client = new KubeClient({ server: api.url, ca: api.pki.ca.cert, cert: cred.cert, key: cred.key }, { userAgent: kubernetesUserAgent('kubelet') });
  // The proxy and DNS as themselves (system:kube-proxy, kube-system/kube-dns), as a joined agent's.
  const proxyClient = new KubeClient({ server: api.url, ca: api.pki.ca.cert, ...certs.proxy }, { userAgent: kubernetesUserAgent('kube-proxy') });
  const dnsClient = new KubeClient({ server: api.url, ca: api.pki.ca.cert, ...certs.dns }, { userAgent: `bosun-dns/${nodeName}` });
  // The Ingress controller (when on) as kube-system/bosun-ingress, as a joined agent's.
  const ingressClient = certs.ingress && new KubeClient({ server: api.url, ca: api.pki.ca.cert, ...certs.ingress }, { userAgent: `bosun-ingress/${nodeName}` });
  const closeAll = (): void => { for (const c of [client, proxyClient, dnsClient, ingressClient]) c?.close(); };
  try {
    // Like a joining agent: register, then take the pod CIDR the node-IPAM controller assigns.
    const podCIDR = o.podCIDR ?? (await awaitPodCIDR({ client, nodeName }));
    const node = await startClusterNode({
      ...o, client, proxyClient, dnsClient, nodeName, nodeIP, podCIDR, dataDir: join(o.dataDir, 'node'),
      ingress: o.ingress && { ...o.ingress, client: ingressClient },
      agentServer: { port: o.agentPort ?? DEFAULT_AGENT_PORT, tls: { cert: serving.cert, key: serving.key, clientCa: api.pki.ca.cert } },
    });
    const renewal = startCertRenewal({
      current: certs,
      renew: async () => issue(),
      apply: applyTo({ client, proxy: proxyClient, dns: dnsClient, ingress: ingressClient, server: node.node.server }),
    });
    return {
      node, client,
      async stop(so) {
        renewal.stop();
        await node.stop(so);
        closeAll();
      },
    };
  } catch (err) {
    closeAll();
    throw err;
  }
}
