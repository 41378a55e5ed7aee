import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Node } from '../api/kinds/index.js';
import { DEFAULT_NODE_POD_CIDR } from '../api/defaults.js';
import type { KubeClient } from '../client/kube-client.js';
import { isNotFound } from '../client/errors.js';
import type { Logger } from '../controller-runtime/log.js';
import { startAgent, type Agent, type AgentOptions } from './agent.js';
import type { RegistryConfig, RegistryHost } from './containerd/config.js';
import { startNodeRuntime, type NodeRuntime } from './containerd/node-runtime.js';
import { nodeRegistry } from '../controller-runtime/exposition.js';
import { instrumentRuntime } from './metrics/kubelet-metrics.js';
import { ResourceSampler } from './metrics/resource-sampler.js';
import { resourceMetricsText, statsSummary } from './metrics/stats-summary.js';
import { startAgentServer, type AgentServer, type AgentServerTls } from './server/agent-server.js';
import { webhookReviews } from './server/webhook-reviews.js';
import { kubeletConfigz } from './server/kubelet-config.js';

/**
 * A whole worker node in one call, for `bosun server` (embedded node) and `bosun agent`
 * (standalone): the private containerd with the CNI network for the node's pod CIDR, then the node
 * agent on it. Layout: DATA_DIR/containerd and DATA_DIR/cni (runtime), DATA_DIR/agent (pod volumes,
 * logs). The pod CIDR is the Node's spec.podCIDR when the control plane already assigned one, else
 * `podCIDR`.
 */


export interface NodeOptions extends Partial<Omit<AgentOptions, 'client' | 'runtime' | 'dataDir'>> {
  client: KubeClient;
  /** DATA_DIR of the node. */
  dataDir: string;
  registries?: RegistryHost[];
  /** A registries file's mirrors and credentials (--registries). */
  registryConfig?: RegistryConfig;
  /** CNI bridge name (default "bosun0"). */
  bridge?: string;
  /** Whether the CNI bridge masquerades pod traffic (default true; see CniNetworkOptions.ipMasq). */
  ipMasq?: boolean;
  /**
   * The agent's own HTTPS server (pods/log, exec, attach, port-forward for the API server), like
   * kubelet's :10250. Its port is advertised in the Node's status.daemonEndpoints.
   */
  agentServer?: { port: number; host?: string; tls: AgentServerTls };
  /** Resource metrics sampling period (default 10 s, see metrics/resource-sampler.ts). */
  metricsPeriodMs?: number;
  logger?: Logger;
}

export interface RunningNode {
  agent: Agent;
  runtime: NodeRuntime;
  server?: AgentServer;
  podCIDR: string;
  /** Stops the agent and containerd; pods keep running (shims outlive containerd) and are adopted on the next start. */
  stop(): Promise<void>;
}

async function assignedPodCIDR(client: KubeClient, nodeName: string): Promise<string | undefined> {
  try {
    return (await client.nodes<Node>().get(nodeName)).spec?.podCIDR || undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  const podCIDR = (await assignedPodCIDR(o.client, nodeName)) ?? o.podCIDR ?? DEFAULT_NODE_POD_CIDR;
  const runtime = await startNodeRuntime({ dataDir: o.dataDir, podCIDR, registries: o.registries, registryConfig: o.registryConfig, bridge: o.bridge, ipMasq: o.ipMasq });
  let agent: Agent;
  let server: AgentServer | undefined;
  // Sampled only when served: the resource metrics are read through the agent's server.
  // BOSUN_AGENT_METRICS=0 turns resource sampling and runtime instrumentation off: the baseline
  // bench/pod-start.bench.ts measures the agent's idle cost against (not for production use).
  const metricsOn = process.env.BOSUN_AGENT_METRICS !== '0';
  const sampler = o.agentServer && metricsOn ? new ResourceSampler({ runtime: runtime.runtime, cgroupRoot: o.cgroupRoot ?? '/bosun', periodMs: o.metricsPeriodMs }) : undefined;
  const resourceStats = sampler && { summary: () => statsSummary(nodeName, sampler.samples()), resourceMetrics: () => resourceMetricsText(sampler.samples()) };
  try {
    // Callers are reviewed by the API server with the node's own credential (TokenReview, SubjectAccessReview).
    // /configz: what this node runs with, its server's port once listening.
    const configz = () => kubeletConfigz({ ...o, podCIDR, address: o.agentServer?.host, port: server?.port ?? 0, runtimeSocket: runtime.containerd.socket });
    if (o.agentServer) server = await startAgentServer({ runtime: runtime.runtime, resourceStats, metrics: () => nodeRegistry.text(), configz, nodeName, reviews: webhookReviews(o.client), ...o.agentServer });
    sampler?.start();
    agent = await startAgent({ ...o, nodeName, podCIDR, runtime: metricsOn ? instrumentRuntime(runtime.runtime) : runtime.runtime, dataDir: join(o.dataDir, 'agent'), agentPort: server?.port ?? o.agentPort });
  } catch (err) {
    await sampler?.stop();
    await server?.close();
    await runtime.stop();
    throw err;
  }
  return {
    agent, runtime, podCIDR, server,
    async stop() {
      await agent.stop();
      await sampler?.stop();
      await server?.close();
      await runtime.stop();
    },
  };
}
