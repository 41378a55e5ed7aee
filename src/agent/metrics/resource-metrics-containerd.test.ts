/**
 * Resource metrics from live cgroup v1 counters of real containers, end to end through the real
 * kubectl: agent sampler -> agent server /stats/summary -> API server metrics.k8s.io (node-proxy's
 * kubelet client) -> `kubectl top pod --containers` and `kubectl top node`. A container spinning in a shell loop shows about
 * one core, an idle one about zero; a container holding 50 MiB in /dev/shm (tmpfs, swap-backed:
 * never inactive_file) shows a working set of 50 MiB plus its small shell. /metrics/resource carries
 * upstream's metric names (pkg/kubelet/metrics/collectors/resource_metrics.go) with these pods.
 * Needs root, containerd, runc and the busybox test image.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import type { AgentServer } from '../server/agent-server.js';
import type { AgentHarness } from '../testing/agent-harness.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';
import { startServedAgent } from '../testing/served-agent.js';
import { ResourceSampler } from './resource-sampler.js';
import { resourceMetricsText, statsSummary } from './stats-summary.js';

let tc: TestContainerd;
let h: AgentHarness;
let agentServer: AgentServer;
let sampler: ResourceSampler;

const rows = (out: string): string[][] => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
const milli = (cpu: string): number => Number(cpu.replace(/m$/, ''));
const mebi = (mem: string): number => Number(mem.replace(/Mi$/, ''));

describe('resource metrics from cgroup v1 of real containers', { concurrency: false }, () => {
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
    // 1 s samples in the test (10 s by default): the rate needs two.
    sampler = new ResourceSampler({ runtime: tc.cri, cgroupRoot: tc.cgroupRoot, periodMs: 1000 });
    ({ h, agentServer } = await startServedAgent(tc, {}, {
      resourceStats: { summary: () => statsSummary(h.nodeName, sampler.samples()), resourceMetrics: () => resourceMetricsText(sampler.samples()) },
    }));
    sampler.start();
  });
  after(async () => {
    await sampler?.stop();
    await agentServer?.close();
    await h?.stop();
    await tc?.teardown();
  });

  it('kubectl top pod --containers: busy ~1 core, idle ~0, 50 MiB in tmpfs in the working set', async () => {
    await h.createPod('load', {
      containers: [
        { name: 'busy', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'while :; do :; done'] },
        { name: 'idle', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] },
        { name: 'mem', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=50 && sleep 3600'] },
      ],
    });
    await h.waitPod('load', (p: Pod) => p.status?.phase === 'Running' && p, 60_000);
    const top = await eventually(async () => {
      const r = await h.server.kubectl(['top', 'pod', 'load', '--containers']);
      if (r.code !== 0) return undefined;
      const byName = new Map(rows(r.stdout).map((x) => [x[1], { cpu: milli(x[2]!), mem: mebi(x[3]!) }]));
      // Wait for a window where the busy loop ran the whole time and the dd had finished.
      return byName.get('busy')!.cpu > 300 && byName.get('mem')!.mem >= 50 ? byName : undefined;
    }, 'kubectl top pod with metrics', { timeoutMs: 60_000, intervalMs: 500, retryErrors: true });
    // 2 cores shared with other work: the loop gets between a third of a core and a whole one.
    assert.ok(top.get('busy')!.cpu <= 1100, `busy ${top.get('busy')!.cpu}m`);
    assert.ok(top.get('idle')!.cpu <= 5, `idle ${top.get('idle')!.cpu}m`);
    assert.ok(top.get('mem')!.mem >= 50 && top.get('mem')!.mem <= 54, `mem ${top.get('mem')!.mem}Mi`);
    // The node's own figures (root cgroup CPU, /proc/meminfo working set) include the busy loop.
    const node = rows(await kubectlOk(h.server, ['top', 'node', h.nodeName]))[0]!;
    assert.equal(node[0], h.nodeName);
    assert.ok(milli(node[1]!) >= 300 && mebi(node[3]!) > 50, node.join(' '));
  });

  it('the working set is the cgroup\'s own usage minus total_inactive_file; /metrics/resource has upstream\'s names', async () => {
    const pod = (await h.getPod('load'))!;
    const memId = pod.status!.containerStatuses!.find((c) => c.name === 'mem')!.containerID!.replace('containerd://', '');
    await sampler.sample();
    const dir = `/sys/fs/cgroup/memory${tc.cgroupRoot}/pod${pod.metadata.uid}/${memId}`;
    const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8'));
    const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))![1]);
    const sampled = sampler.samples().latest!.pods.find((p) => p.uid === pod.metadata.uid)!.containers.find((c) => c.name === 'mem')!;
    // Read a moment apart from the sample: within 1% of the cgroup's own counters.
    assert.ok(Math.abs(sampled.usage.workingSet! - (usage - inactive)) < 0.01 * usage, `${sampled.usage.workingSet} vs ${usage - inactive}`);

    const text = resourceMetricsText(sampler.samples());
    for (const name of ['node_cpu_usage_seconds_total', 'node_memory_working_set_bytes', 'pod_cpu_usage_seconds_total', 'pod_memory_working_set_bytes', 'container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'scrape_error']) {
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), name);
    }
    assert.match(text, /^container_memory_working_set_bytes\{container="mem",namespace="default",pod="load"\} \d+ \d+$/m);
    assert.match(text, /^scrape_error 0$/m);
  });
});
