/**
 * The sampler over the fake runtime and a cgroup v2 tree in the kernel's file formats, two samples
 * 10 s apart: /stats/summary reports CPU as the rate between them (usageNanoCores, as cadvisor's
 * derived stats) and the newest working set; /metrics/resource the cumulative seconds with
 * upstream's names and labels; both served only to callers the agent server authorizes (the
 * kubelet client of system:masters, not another node).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueCertificate, type KeyPair } from '../../apiserver/pki/certs.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import type { PodSandboxConfig } from '../runtime/types.js';
import { startAgentServer, type AgentServer } from '../server/agent-server.js';
import { ResourceSampler } from './resource-sampler.js';
import { resourceMetricsText, statsSummary } from './stats-summary.js';

const runtime = new FakeRuntime({ images: ['busybox'] });
let dir: string;
let ca: KeyPair;
let server: AgentServer;
let sampler: ResourceSampler;
let containerId: string;
let clock = 1_700_000_000_000;

function writeCgroup(path: string, cpuUsec: number, current: number, inactiveFile: number): void {
  const d = join(dir, path);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'cpu.stat'), `usage_usec ${cpuUsec}\nuser_usec ${cpuUsec}\nsystem_usec 0\n`);
  writeFileSync(join(d, 'memory.current'), `${current}\n`);
  writeFileSync(join(d, 'memory.stat'), `anon ${current - inactiveFile}\nfile ${inactiveFile}\ninactive_file ${inactiveFile}\nactive_file 0\n`);
}

function get(path: string, client: KeyPair): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, ca: ca.cert, cert: client.cert, key: client.key, checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.once('end', () => resolve({ code: res.statusCode!, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('stats summary and resource metrics', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-stats-'));
    const sc: PodSandboxConfig = { metadata: { name: 'web', namespace: 'ns1', uid: 'u1', attempt: 0 } };
    const sid = await runtime.runPodSandbox(sc);
    containerId = await runtime.createContainer(sid, { metadata: { name: 'app', attempt: 0 }, image: 'busybox' }, sc);
    await runtime.startContainer(containerId);
    writeCgroup('/', 100_000_000, 0, 0);
    sampler = new ResourceSampler({ runtime, cgroupRoot: '/bosun', layout: { unified: dir }, now: () => new Date(clock) });
    ca = issueCertificate({ commonName: 'test-ca', usage: 'ca', validDays: 1 });
    const serving = issueCertificate({ commonName: 'n1', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, ca);
    server = await startAgentServer({
      runtime, port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: ca.cert },
      resourceStats: { summary: () => statsSummary('n1', sampler.samples()), resourceMetrics: () => resourceMetricsText(sampler.samples()) },
    });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('CPU as the rate between the last two samples, memory as the newest working set', async () => {
    writeCgroup('/bosun/podu1', 1_000_000, 40 << 20, 8 << 20);
    writeCgroup(`/bosun/podu1/${containerId}`, 900_000, 30 << 20, 6 << 20);
    await sampler.sample();
    const first = statsSummary('n1', sampler.samples()) as { pods: { cpu: { usageNanoCores?: number } }[] };
    assert.equal(first.pods[0]!.cpu.usageNanoCores, undefined, 'no rate from one sample');
    clock += 10_000;
    writeCgroup('/', 105_000_000, 0, 0);
    writeCgroup('/bosun/podu1', 3_600_000, 42 << 20, 8 << 20); // +2.6 s of CPU in 10 s
    writeCgroup(`/bosun/podu1/${containerId}`, 3_400_000, 31 << 20, 6 << 20); // +2.5 s
    await sampler.sample();
    const s = statsSummary('n1', sampler.samples()) as any;
    assert.equal(s.node.nodeName, 'n1');
    assert.equal(s.node.cpu.usageNanoCores, 500_000_000); // root cgroup: +5 s in 10 s
    assert.deepEqual(s.pods[0].podRef, { name: 'web', namespace: 'ns1', uid: 'u1' });
    assert.equal(s.pods[0].cpu.usageNanoCores, 260_000_000);
    assert.equal(s.pods[0].memory.workingSetBytes, 34 << 20);
    assert.equal(s.pods[0].containers[0].name, 'app');
    assert.equal(s.pods[0].containers[0].cpu.usageNanoCores, 250_000_000);
    assert.equal(s.pods[0].containers[0].cpu.usageCoreNanoSeconds, 3_400_000_000);
    assert.equal(s.pods[0].containers[0].memory.workingSetBytes, 25 << 20);
    assert.equal(s.pods[0].containers[0].memory.usageBytes, 31 << 20);
    assert.equal(s.pods[0].containers[0].cpu.time, new Date(clock).toISOString());
  });

  it('serves both to the kubelet client only, /metrics/resource with upstream\'s names', async () => {
    const admin = issueCertificate({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', validDays: 1 }, ca);
    const other = issueCertificate({ commonName: 'system:node:other', organizations: ['system:nodes'], usage: 'client', validDays: 1 }, ca);
    assert.equal((await get('/stats/summary', other)).code, 403);
    assert.equal((await get('/metrics/resource', other)).code, 403);
    const summary = await get('/stats/summary', admin);
    assert.equal(summary.code, 200);
    assert.equal((JSON.parse(summary.body) as { pods: unknown[] }).pods.length, 1);
    const text = await get('/metrics/resource', admin);
    assert.equal(text.code, 200);
    const lines = text.body.split('\n');
    assert.ok(lines.includes(`container_cpu_usage_seconds_total{container="app",namespace="ns1",pod="web"} 3.4 ${clock}`), text.body);
    assert.ok(lines.includes(`container_memory_working_set_bytes{container="app",namespace="ns1",pod="web"} ${25 << 20} ${clock}`));
    assert.ok(lines.includes(`pod_cpu_usage_seconds_total{namespace="ns1",pod="web"} 3.6 ${clock}`));
    assert.ok(lines.includes(`pod_memory_working_set_bytes{namespace="ns1",pod="web"} ${34 << 20} ${clock}`));
    assert.ok(lines.includes(`node_cpu_usage_seconds_total 105 ${clock}`));
    assert.ok(lines.includes('# TYPE node_memory_working_set_bytes gauge'));
    assert.ok(lines.includes('scrape_error 0'));
    // Every sample line is `name{labels} value [timestamp]` of a family declared by # TYPE.
    const declared = new Set(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    for (const l of lines.filter((x) => x && !x.startsWith('#'))) {
      const m = /^([a-z_]+)(\{[^}]*\})? [0-9.e+-]+( \d+)?$/.exec(l);
      assert.ok(m && declared.has(m[1]), l);
    }
  });
});
