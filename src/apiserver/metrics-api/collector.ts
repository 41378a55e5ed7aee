/**
 * Gathers NodeMetrics and PodMetrics from every node, as metrics-server's scraper does: each real
 * node's agent is asked for its /stats/summary through the same kubelet client the API server uses
 * for pods/log (node-proxy/agent-client.ts: the Node's advertised address, the kubelet client
 * certificate, the agent's certificate checked against the node name); a simulated node's usage comes
 * from its pods' annotations (api/metrics/usage-annotations.ts).
 *
 * Period: the result is kept for 10 s and gathered again on the first read after that (single
 * flight), so the figures are at most one agent sampling period old (the agents sample every 10 s;
 * metrics-server's default resolution is 15 s), and a cluster nobody asks costs nothing. A node that
 * does not answer within 5 s is left out of that round, as metrics-server leaves it out.
 */
import { nodes as nodeDef, pods as podDef, type Node, type Pod } from '../../api/kinds/index.js';
import { SIMULATED_NODE_LABEL, simulatedContainerUsage } from '../../api/metrics/usage-annotations.js';
import { Quantity } from '../../api/quantity/index.js';
import { readBody, type AgentClient } from '../node-proxy/agent-client.js';
import { asKind } from '../storage/codec.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { METRICS_GROUP, type NodeMetrics, type PodMetrics, type ResourceUsage } from './kinds.js';

export const METRICS_PERIOD_MS = 10_000;
const SCRAPE_TIMEOUT_MS = 5_000;

export interface MetricsSnapshot {
  nodes: Map<string, NodeMetrics>;
  /** By "namespace/name". */
  pods: Map<string, PodMetrics>;
}

export interface MetricsCollectorOptions {
  nodes: () => ResourceStorage | undefined;
  pods: () => ResourceStorage | undefined;
  agents: AgentClient;
  periodMs?: number;
  onError?: (node: string, err: unknown) => void;
}

interface SummaryUsage { time?: string; usageNanoCores?: number; workingSetBytes?: number }
interface Summary {
  node?: { cpu?: SummaryUsage; memory?: SummaryUsage };
  pods?: { podRef?: { name?: string; namespace?: string }; containers?: { name?: string; cpu?: SummaryUsage; memory?: SummaryUsage }[] }[];
}

const internalCtx: RequestContext = { user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [] };

/** metrics-server's quantities: CPU as a nano-scaled value, memory in BinarySI. */
export const usageOf = (nanoCores: number, bytes: number): ResourceUsage => ({
  cpu: `${Math.round(nanoCores)}n`,
  memory: Quantity.fromValue(Math.round(bytes), 'BinarySI').toString(),
});

const apiVersion = `${METRICS_GROUP}/v1beta1`;

export class MetricsCollector {
  private snapshot?: { at: number; value: MetricsSnapshot };
  private inflight?: Promise<MetricsSnapshot>;

  constructor(private readonly o: MetricsCollectorOptions) {}

  /** The newest gathering, gathered now when older than the period. */
  async current(): Promise<MetricsSnapshot> {
    const period = this.o.periodMs ?? METRICS_PERIOD_MS;
    if (this.snapshot && Date.now() - this.snapshot.at < period) return this.snapshot.value;
    this.inflight ??= this.gather().then((value) => {
      this.snapshot = { at: Date.now(), value };
      return value;
    }).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async gather(): Promise<MetricsSnapshot> {
    const nodes = ((await this.o.nodes()?.list(internalCtx, undefined, {}))?.items ?? []).map((o) => asKind(nodeDef, o));
    const pods = ((await this.o.pods()?.list(internalCtx, undefined, {}))?.items ?? []).map((o) => asKind(podDef, o));
    const podsByKey = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    const out: MetricsSnapshot = { nodes: new Map(), pods: new Map() };
    const window = `${Math.round((this.o.periodMs ?? METRICS_PERIOD_MS) / 1000)}s`;
    const simulated = nodes.filter((n) => n.metadata.labels?.[SIMULATED_NODE_LABEL] === 'true');
    if (simulated.length) this.simulate(simulated, pods, window, out);
    await Promise.all(nodes.filter((n) => !simulated.includes(n)).map(async (n) => {
      try {
        this.addSummary(n, await this.scrape(n.metadata.name!), podsByKey, window, out);
      } catch (err) {
        this.o.onError?.(n.metadata.name!, err);
      }
    }));
    return out;
  }

  private async scrape(node: string): Promise<Summary> {
    const res = await this.o.agents.get(node, '/stats/summary', AbortSignal.timeout(SCRAPE_TIMEOUT_MS));
    const body = await readBody(res, 32 * 1024 * 1024);
    if (res.statusCode !== 200) throw new Error(`node agent answered ${res.statusCode}: ${body.slice(0, 200)}`);
    return JSON.parse(body) as Summary;
  }

  private addSummary(node: Node, s: Summary, podsByKey: Map<string, Pod>, window: string, out: MetricsSnapshot): void {
    const cpu = s.node?.cpu;
    const mem = s.node?.memory;
    if (cpu?.usageNanoCores !== undefined && mem?.workingSetBytes !== undefined) {
      out.nodes.set(node.metadata.name!, {
        apiVersion, kind: 'NodeMetrics', metadata: { name: node.metadata.name, labels: node.metadata.labels, creationTimestamp: new Date().toISOString() },
        timestamp: cpu.time ?? new Date().toISOString(), window, usage: usageOf(cpu.usageNanoCores, mem.workingSetBytes),
      });
    }
    for (const p of s.pods ?? []) {
      const key = `${p.podRef?.namespace}/${p.podRef?.name}`;
      const pod = podsByKey.get(key);
      const cs = p.containers ?? [];
      // As metrics-server: a pod is reported only when every container has both figures.
      if (!pod || cs.length === 0 || cs.some((c) => c.cpu?.usageNanoCores === undefined || c.memory?.workingSetBytes === undefined)) continue;
      out.pods.set(key, {
        apiVersion, kind: 'PodMetrics',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels, creationTimestamp: new Date().toISOString() },
        timestamp: cs[0]!.cpu?.time ?? new Date().toISOString(), window,
        containers: cs.map((c) => ({ name: c.name!, usage: usageOf(c.cpu!.usageNanoCores!, c.memory!.workingSetBytes!) })),
      });
    }
  }

  private simulate(nodes: Node[], pods: Pod[], window: string, out: MetricsSnapshot): void {
    const now = new Date().toISOString();
    const totals = new Map(nodes.map((n) => [n.metadata.name!, { cpu: 0, mem: 0 }]));
    for (const pod of pods) {
      const total = totals.get(pod.spec?.nodeName ?? '');
      if (!total || pod.status?.phase !== 'Running') continue;
      const cs = simulatedContainerUsage(pod);
      for (const c of cs) {
        total.cpu += c.nanoCores;
        total.mem += c.bytes;
      }
      out.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, {
        apiVersion, kind: 'PodMetrics',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels, creationTimestamp: now },
        timestamp: now, window, containers: cs.map((c) => ({ name: c.name, usage: usageOf(c.nanoCores, c.bytes) })),
      });
    }
    for (const n of nodes) {
      const t = totals.get(n.metadata.name!)!;
      out.nodes.set(n.metadata.name!, {
        apiVersion, kind: 'NodeMetrics', metadata: { name: n.metadata.name, labels: n.metadata.labels, creationTimestamp: now },
        timestamp: now, window, usage: usageOf(t.cpu, t.mem),
      });
    }
  }
}
