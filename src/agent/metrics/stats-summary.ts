/**
 * The kubelet's two resource-metrics views of the sampler's last two samples:
 *  - GET /stats/summary: statsapi.Summary JSON (pkg/kubelet/apis/stats/v1alpha1/types.go), the
 *    fields metrics-server and users read: node and pod/container cpu (time, usageNanoCores,
 *    usageCoreNanoSeconds) and memory (time, usageBytes, workingSetBytes, rssBytes...).
 *  - GET /metrics/resource: Prometheus text with the metric names, help and labels of upstream's
 *    pkg/kubelet/metrics/collectors/resource_metrics.go (cumulative CPU seconds, so a scraper takes
 *    the rate itself, and working set bytes; each sample stamped with its time in ms).
 */
import { nanoCores, type ContainerSample, type PodSample, type ResourceSample } from './resource-sampler.js';
import type { CgroupUsage } from './cgroup-usage.js';

interface CpuStats { time: string; usageNanoCores?: number; usageCoreNanoSeconds?: number }
interface MemoryStats { time: string; availableBytes?: number; usageBytes?: number; workingSetBytes?: number; rssBytes?: number }

function cpuStats(cur: CgroupUsage | undefined, prev: CgroupUsage | undefined, time: Date, prevTime: Date | undefined): CpuStats {
  const rate = nanoCores(prev?.cpuNs, prevTime, cur?.cpuNs, time);
  return {
    time: time.toISOString(),
    ...(rate !== undefined ? { usageNanoCores: rate } : {}),
    ...(cur?.cpuNs !== undefined ? { usageCoreNanoSeconds: Math.round(cur.cpuNs) } : {}),
  };
}

function memoryStats(u: CgroupUsage & { available?: number }, time: Date): MemoryStats {
  return {
    time: time.toISOString(),
    ...(u.available !== undefined ? { availableBytes: u.available } : {}),
    ...(u.memoryUsage !== undefined ? { usageBytes: u.memoryUsage } : {}),
    ...(u.workingSet !== undefined ? { workingSetBytes: u.workingSet } : {}),
    ...(u.rss !== undefined ? { rssBytes: u.rss } : {}),
  };
}

export function statsSummary(nodeName: string, s: { previous?: ResourceSample; latest?: ResourceSample }): object {
  const cur = s.latest;
  if (!cur) return { node: { nodeName }, pods: [] };
  const prev = s.previous;
  const prevPods = new Map((prev?.pods ?? []).map((p) => [p.uid, p]));
  const container = (c: ContainerSample, old: PodSample | undefined): object => ({
    name: c.name,
    startTime: c.startTime.toISOString(),
    cpu: cpuStats(c.usage, old?.containers.find((o) => o.name === c.name && o.startTime.getTime() === c.startTime.getTime())?.usage, cur.time, prev?.time),
    memory: memoryStats(c.usage, cur.time),
  });
  return {
    node: {
      nodeName,
      cpu: cpuStats(cur.node, prev?.node, cur.time, prev?.time),
      memory: memoryStats(cur.node, cur.time),
    },
    pods: cur.pods.map((p) => {
      const old = prevPods.get(p.uid);
      return {
        podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
        startTime: p.startTime.toISOString(),
        containers: p.containers.map((c) => container(c, old)),
        cpu: cpuStats(p.usage, old?.usage, cur.time, prev?.time),
        memory: memoryStats(p.usage, cur.time),
      };
    }),
  };
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>): string => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/** Upstream's metric families, in its order, with its HELP text. */
const FAMILIES = {
  container_cpu_usage_seconds_total: ['counter', '[STABLE] Cumulative cpu time consumed by the container in core-seconds'],
  container_memory_working_set_bytes: ['gauge', '[STABLE] Current working set of the container in bytes'],
  container_start_time_seconds: ['gauge', '[STABLE] Start time of the container since unix epoch in seconds'],
  node_cpu_usage_seconds_total: ['counter', '[STABLE] Cumulative cpu time consumed by the node in core-seconds'],
  node_memory_working_set_bytes: ['gauge', '[STABLE] Current working set of the node in bytes'],
  pod_cpu_usage_seconds_total: ['counter', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds'],
  pod_memory_working_set_bytes: ['gauge', '[STABLE] Current working set of the pod in bytes'],
  scrape_error: ['gauge', '[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise'],
} as const;

type Family = keyof typeof FAMILIES;

export function resourceMetricsText(s: { latest?: ResourceSample }): string {
  const rows = new Map<Family, string[]>(Object.keys(FAMILIES).map((f) => [f as Family, []]));
  const add = (f: Family, l: Record<string, string>, v: number | undefined, tsMs?: number): void => {
    if (v === undefined) return;
    rows.get(f)!.push(`${f}${labels(l)} ${v}${tsMs === undefined ? '' : ` ${tsMs}`}`);
  };
  const cur = s.latest;
  if (cur) {
    const ts = cur.time.getTime();
    const secs = (ns: number | undefined): number | undefined => (ns === undefined ? undefined : ns / 1e9);
    add('node_cpu_usage_seconds_total', {}, secs(cur.node.cpuNs), ts);
    add('node_memory_working_set_bytes', {}, cur.node.workingSet, ts);
    for (const p of cur.pods) {
      const pl = { namespace: p.namespace, pod: p.name };
      add('pod_cpu_usage_seconds_total', pl, secs(p.usage.cpuNs), ts);
      add('pod_memory_working_set_bytes', pl, p.usage.workingSet, ts);
      for (const c of p.containers) {
        const cl = { container: c.name, namespace: p.namespace, pod: p.name };
        add('container_cpu_usage_seconds_total', cl, secs(c.usage.cpuNs), ts);
        add('container_memory_working_set_bytes', cl, c.usage.workingSet, ts);
        add('container_start_time_seconds', cl, c.startTime.getTime() / 1000, ts);
      }
    }
  }
  add('scrape_error', {}, cur && !cur.error ? 0 : 1);
  let out = '';
  for (const [f, lines] of rows) {
    if (!lines.length) continue;
    const [type, help] = FAMILIES[f];
    out += `# HELP ${f} ${help}\n# TYPE ${f} ${type}\n${lines.join('\n')}\n`;
  }
  return out;
}
