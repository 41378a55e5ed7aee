/**
 * Samples the node's, every running pod's and every running container's cgroup counters on a
 * period and keeps only the last two samples: CPU is reported as a rate between them
 * (usageNanoCores, as cadvisor's derived stats), memory as the newest working set.
 *
 * Period: 10 s, cadvisor's default housekeeping interval in the kubelet. The control plane reads at
 * most every 10 s too (metrics-server's default resolution is 15 s), so every read sees a window no
 * older than one period, and a new pod shows usage after two samples (at most 20 s). Cost per sample:
 * one CRI list of sandboxes and containers and a few small cgroup files per container.
 */
import type { ContainerRuntime } from '../runtime/types.js';
import { podCgroupParent } from '../runtime/cgroups.js';
import { hostCgroupLayout, readCgroupUsage, readNodeUsage, type CgroupLayout, type CgroupUsage } from './cgroup-usage.js';

export const DEFAULT_SAMPLE_PERIOD_MS = 10_000;

export interface ContainerSample {
  name: string;
  startTime: Date;
  usage: CgroupUsage;
}

export interface PodSample {
  name: string;
  namespace: string;
  uid: string;
  startTime: Date;
  usage: CgroupUsage;
  containers: ContainerSample[];
}

export interface ResourceSample {
  time: Date;
  node: CgroupUsage & { available?: number };
  pods: PodSample[];
  /** The runtime could not be listed: pods are missing from this sample (scrape_error 1). */
  error?: string;
}

export interface ResourceSamplerOptions {
  runtime: ContainerRuntime;
  /** The agent's cgroup root ("/bosun"): pods are in <root>/pod<uid>, containers below by id. */
  cgroupRoot: string;
  periodMs?: number;
  layout?: CgroupLayout;
  now?: () => Date;
}

export class ResourceSampler {
  private last?: ResourceSample;
  private prev?: ResourceSample;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly layout: CgroupLayout;

  constructor(private readonly o: ResourceSamplerOptions) {
    this.layout = o.layout ?? hostCgroupLayout();
  }

  /** Takes a first sample now, then one per period. */
  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.o.periodMs ?? DEFAULT_SAMPLE_PERIOD_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The two newest samples (older first); `previous` is absent until two were taken. */
  samples(): { previous?: ResourceSample; latest?: ResourceSample } {
    return { previous: this.prev, latest: this.last };
  }

  /** Takes one sample (single flight: a slow runtime never stacks samples). */
  sample(): Promise<void> {
    this.running ??= this.take().finally(() => (this.running = undefined));
    return this.running;
  }

  private async take(): Promise<void> {
    const time = this.o.now?.() ?? new Date();
    const node = readNodeUsage(this.layout);
    const pods: PodSample[] = [];
    let error: string | undefined;
    try {
      const sandboxes = (await this.o.runtime.listPodSandboxes({ state: 'SANDBOX_READY' }));
      const containers = await this.o.runtime.listContainers({ state: 'CONTAINER_RUNNING' });
      for (const s of sandboxes) {
        const parent = podCgroupParent(s.metadata.uid, this.o.cgroupRoot);
        const podUsage = readCgroupUsage(this.layout, parent);
        if (!podUsage) continue;
        const own: ContainerSample[] = [];
        for (const c of containers) {
          if (c.podSandboxId !== s.id) continue;
          const usage = readCgroupUsage(this.layout, `${parent}/${c.id}`);
          if (usage) own.push({ name: c.metadata.name, startTime: c.createdAt, usage });
        }
        pods.push({ name: s.metadata.name, namespace: s.metadata.namespace, uid: s.metadata.uid, startTime: s.createdAt, usage: podUsage, containers: own });
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.prev = this.last;
    this.last = { time, node, pods, ...(error ? { error } : {}) };
  }
}

/** CPU rate in nanocores between two cumulative readings; undefined without both or on a counter reset. */
export function nanoCores(prevNs: number | undefined, prevTime: Date | undefined, curNs: number | undefined, curTime: Date): number | undefined {
  if (prevNs === undefined || curNs === undefined || !prevTime) return undefined;
  const dtNs = (curTime.getTime() - prevTime.getTime()) * 1e6;
  if (dtNs <= 0 || curNs < prevNs) return undefined;
  return Math.round(((curNs - prevNs) / dtNs) * 1e9);
}
