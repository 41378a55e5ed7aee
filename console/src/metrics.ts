/**
 * CPU and memory history for charts. The resource metrics API (metrics.k8s.io) serves only the
 * latest sample, and Bosun serves no history of its own: the page keeps a ring buffer per target
 * (the last hour at one sample per 15 s, the agents' own sampling is 10 s), polled while the console
 * is open, starting when a chart or the overview first asks for that target. This is the one place
 * the console polls; objects themselves come from watches.
 */
import { request } from './api.js';
import { quantity } from './kube.js';

export const INTERVAL_MS = 15_000;
const SIZE = 240;

export interface Sample { t: number; cpu: number; mem: number }
interface Usage { cpu?: string; memory?: string }
interface PodMetrics { metadata: { name: string; namespace: string }; containers: { name: string; usage: Usage }[] }
interface NodeMetrics { metadata: { name: string }; usage: Usage }

/** A target: a node, a pod, or a set of pods (a workload's, picked by a function of pod names). */
export type Target = { kind: 'node'; name: string } | { kind: 'pod'; namespace: string; name: string } | { kind: 'pods'; namespace: string; id: string; pick: () => Set<string> };

const targetKey = (t: Target): string => (t.kind === 'node' ? `node/${t.name}` : t.kind === 'pod' ? `pod/${t.namespace}/${t.name}` : `pods/${t.namespace}/${t.id}`);

class Series {
  samples: Sample[] = [];
  error: string | undefined;
  private readonly listeners = new Set<() => void>();
  constructor(private target: Target) {
    void this.poll();
    setInterval(() => void this.poll(), INTERVAL_MS);
  }
  retarget(t: Target): void {
    this.target = t;
  }
  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }
  private async poll(): Promise<void> {
    try {
      const s = await sample(this.target);
      this.error = undefined;
      this.samples.push(s);
      if (this.samples.length > SIZE) this.samples.shift();
    } catch (e) {
      this.error = (e as Error).message;
    }
    for (const f of this.listeners) f();
  }
}

const sumPods = (items: PodMetrics[]): { cpu: number; mem: number } => {
  let cpu = 0;
  let mem = 0;
  for (const p of items) for (const c of p.containers) {
    cpu += quantity(c.usage.cpu);
    mem += quantity(c.usage.memory);
  }
  return { cpu, mem };
};

async function sample(t: Target): Promise<Sample> {
  const base = '/apis/metrics.k8s.io/v1beta1';
  if (t.kind === 'node') {
    const m = await request<NodeMetrics>(`${base}/nodes/${encodeURIComponent(t.name)}`);
    return { t: Date.now(), cpu: quantity(m.usage.cpu), mem: quantity(m.usage.memory) };
  }
  if (t.kind === 'pod') {
    const m = await request<PodMetrics>(`${base}/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.name)}`);
    return { t: Date.now(), ...sumPods([m]) };
  }
  const all = await request<{ items: PodMetrics[] }>(`${base}/namespaces/${encodeURIComponent(t.namespace)}/pods`);
  const names = t.pick();
  return { t: Date.now(), ...sumPods(all.items.filter((p) => names.has(p.metadata.name))) };
}

const series = new Map<string, Series>();

export function seriesFor(t: Target): Series {
  const k = targetKey(t);
  let s = series.get(k);
  if (!s) series.set(k, (s = new Series(t)));
  else s.retarget(t);
  return s;
}

/** The latest usage of every node (the overview's live columns), or undefined without the metrics API. */
export async function nodeUsage(): Promise<Map<string, { cpu: number; mem: number }> | undefined> {
  try {
    const l = await request<{ items: NodeMetrics[] }>('/apis/metrics.k8s.io/v1beta1/nodes');
    return new Map(l.items.map((n) => [n.metadata.name, { cpu: quantity(n.usage.cpu), mem: quantity(n.usage.memory) }]));
  } catch {
    return undefined;
  }
}
