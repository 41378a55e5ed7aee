/**
 * Registers the pod subresources served through the node agents (pods/log, pods/exec, pods/attach,
 * pods/portforward), nodes/proxy, pods/proxy and services/proxy on the API server's streaming registry.
 */
import type { StreamingRegistry } from '../http/streaming.js';
import type { Pki } from '../pki/pki.js';
import type { ResourceStorage } from '../storage/types.js';
import { AgentClient, kubeletClientCertificate } from './agent-client.js';
import { nodeProxyHandler } from './node-proxy.js';
import { podAttachHandler, podExecHandler } from './pod-exec.js';
import { podLogHandler } from './pod-logs.js';
import { podPortForwardHandler } from './pod-portforward.js';
import { podProxyHandler } from './pod-proxy.js';
import { serviceProxyHandler, type CoreStorages } from './service-proxy.js';

export interface NodeProxyOptions {
  pki: Pki;
  /** The nodes storage (looked up lazily: the catalog may be assembled after registration). */
  nodes: () => ResourceStorage | undefined;
  /** The Endpoints and Pods storages services/proxy picks an address from (looked up lazily, as `nodes`). */
  core?: CoreStorages;
  /** CA agents' serving certificates must chain to (default: the cluster CA). */
  agentCa?: string;
}

export function registerNodeProxy(streams: StreamingRegistry, o: NodeProxyOptions): AgentClient {
  const agents = new AgentClient({ client: () => kubeletClientCertificate(o.pki), agentCa: o.agentCa ?? o.pki.ca.cert, nodes: o.nodes });
  streams.register(podLogHandler(agents));
  streams.register(podExecHandler(agents));
  streams.register(podAttachHandler(agents));
  streams.register(podPortForwardHandler(agents));
  streams.register(nodeProxyHandler(agents));
  streams.register(podProxyHandler());
  streams.register(serviceProxyHandler(o.core ?? (() => undefined)));
  return agents;
}
