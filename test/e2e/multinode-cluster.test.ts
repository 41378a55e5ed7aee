/**
 * A real 3-node cluster from network namespaces (src/testing/multi-node-cluster.ts): `bosun server`
 * with its embedded node in one host, two `bosun agent`s in two others, each node with its own
 * containerd. A 6-replica Deployment spreads over the three nodes; pods reach pods on the other
 * nodes by IP and the Service from every node; a node credential cannot touch another node; an
 * agent that dies (SIGKILL) leaves its pods, routes and Service rules working (a clean SIGTERM
 * stop leaves them too, as kube-proxy does; `bosun killall` removes them); and once the server
 * is killed every pod keeps serving through its Service from every host.
 * Needs root and scripts/build-test-images.sh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Pod } from '../../src/api/kinds/index.js';
import type { KubeObject } from '../../src/api/meta.js';
import { resources } from '../../src/client/resource-ref.js';
import { runKubectl } from '../../src/testing/test-cluster.js';
import { startMultiNodeCluster, type MultiNodeCluster } from '../../src/testing/multi-node-cluster.js';
import { applyWebDeployment, podsByNode, readyPods, until } from '../../src/testing/web-deployment.js';

const NS = 'default';
let c: MultiNodeCluster;
let vip = '';
/** Pod name -> node name of the ready web pods. */
let placement = new Map<string, string>();

before(async () => {
  c = await startMultiNodeCluster();
});

after(async () => {
  await c?.teardown();
});

test('kubectl get nodes -o wide shows the three nodes Ready with address, version and runtime', async () => {
  await until('3 nodes Ready', async () => {
    const r = await c.kubectl(['get', 'nodes', '--no-headers']);
    return r.stdout.split('\n').filter((l) => / Ready /.test(l)).length === 3;
  }, 120_000);
  const r = await c.kubectl(['get', 'nodes', '-o', 'wide', '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  for (const h of c.nodes()) {
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${h.nodeName} `));
    assert.ok(line, `${h.nodeName} listed:\n${r.stdout}`);
    const cols = line.trim().split(/\s+/);
    assert.equal(cols[1], 'Ready', line);
    assert.match(cols[4]!, /^v\d+\.\d+/, `version: ${line}`);
    assert.equal(cols[5], h.host.ip, `InternalIP: ${line}`);
    assert.match(line, /containerd:\/\//, `runtime: ${line}`);
  }
});

test('a 6-replica Deployment spreads over the three nodes', async () => {
  vip = await applyWebDeployment(c.kubectl, NS, { replicas: 6 });
  const pods = await until('6 ready web pods', async () => {
    const p = await readyPods(c.admin, NS);
    return p.length === 6 && p;
  }, 120_000);
  placement = new Map(pods.map((p) => [p.metadata.name!, p.spec!.nodeName!]));
  const perNode = podsByNode(pods);
  for (const h of c.nodes()) assert.ok((perNode.get(h.nodeName)?.length ?? 0) >= 1, `pods on ${h.nodeName}: ${JSON.stringify(Object.fromEntries(perNode))}`);
});

test('a pod reaches the pods on the other nodes by IP', async () => {
  const pods = await readyPods(c.admin, NS);
  const perNode = podsByNode(pods);
  for (const h of c.nodes()) {
    const client = perNode.get(h.nodeName)![0]!;
    for (const target of pods.filter((p) => p.spec!.nodeName !== h.nodeName)) {
      const r = await c.kubectl(['exec', '-n', NS, client.metadata.name!, '--', 'wget', '-qO-', `http://${target.status!.podIP}:8080/`]);
      assert.equal(r.code, 0, `${client.metadata.name} on ${h.nodeName} -> ${target.metadata.name}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), target.metadata.name);
    }
  }
});

test('the Service reaches endpoints on every node, from a pod on every node', async () => {
  const perNode = podsByNode(await readyPods(c.admin, NS));
  for (const h of c.nodes()) {
    const client = perNode.get(h.nodeName)![0]!.metadata.name!;
    // One exec runs many requests: the answers name the pods, whose nodes must cover all three.
    const r = await c.kubectl(['exec', '-n', NS, client, '--', 'sh', '-c', `for i in $(seq 40); do wget -qO- http://${vip}/ || echo FAIL; done`]);
    assert.equal(r.code, 0, r.stderr);
    const answers = r.stdout.trim().split('\n');
    assert.ok(!answers.includes('FAIL'), `from ${client}: ${answers.join(' ')}`);
    const nodes = new Set(answers.map((a) => placement.get(a)));
    assert.deepEqual([...nodes].sort(), c.nodes().map((n) => n.nodeName).sort(), `from ${client} answered: ${[...new Set(answers)].join(' ')}`);
  }
});

test('a node credential cannot modify another node', async () => {
  const [n1, n2] = c.agents;
  const own = join(n1!.dataDir, 'agent', 'kubeconfig.yaml');
  const cache = join(n1!.dataDir, 'kubectl-cache');
  const other = await runKubectl(own, cache, ['label', 'node', n2!.nodeName, 'hijacked=yes']);
  assert.notEqual(other.code, 0, 'labelling another node must fail');
  assert.match(other.stderr, /forbidden/i);
  const self = await runKubectl(own, cache, ['get', 'node', n1!.nodeName, '-o', 'name']);
  assert.equal(self.code, 0, `a node reads its own Node: ${self.stderr}`);
});

test('an agent that dies (SIGKILL) leaves its pods serving, its routes and Service rules in place', async () => {
  const n2 = c.node('n2');
  const pods = await readyPods(c.admin, NS);
  const elsewhere = pods.find((p) => p.spec!.nodeName === c.node('n1').nodeName)!;
  n2.child.kill('SIGKILL');
  await n2.exited;
  const viaVip = await c.th.runInHost('n2', `for i in $(seq 30); do curl -sS --max-time 2 http://${vip}/ || echo FAIL; done`, { timeoutMs: 90_000 });
  const answers = viaVip.stdout.trim().split('\n');
  assert.ok(!answers.includes('FAIL'), `through the ClusterIP from n2: ${answers.join(' ')}`);
  assert.equal(new Set(answers.map((a) => placement.get(a))).size, 3, `answered from every node: ${[...new Set(answers)].join(' ')}`);
  const direct = await c.th.runInHost('n2', ['curl', '-sS', '--max-time', '2', `http://${elsewhere.status!.podIP}:8080/`]);
  assert.equal(direct.stdout.trim(), elsewhere.metadata.name, `n2 -> pod on n1 by IP: ${direct.stderr}`);
  await c.restartAgent('n2');
  // Readiness is reported again within a probe period or so (not at the next 60 s resync).
  await until('6 ready pods after the agent restart', async () => (await readyPods(c.admin, NS)).length === 6, 30_000);
});

// The control plane crashing (SIGKILL: the embedded node goes with it, its containerd and pods stay)
// must not stop the workloads: from every host, each of the six pods still answers through the
// Service for ~10 s.
test('with the server killed, every pod keeps serving through the Service from every node', async () => {
  const pods = await readyPods(c.admin, NS);
  assert.equal(pods.length, 6);
  // The proxies must know all six endpoints before the API goes away.
  await until('6 ready endpoints', async () => {
    const slices = await c.admin.resource<KubeObject & { endpoints?: { conditions?: { ready?: boolean } }[] }>(resources.endpointslices, NS).list({ labelSelector: 'kubernetes.io/service-name=web' });
    return slices.items.flatMap((x) => x.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length === 6;
  }, 30_000);
  await new Promise((r) => setTimeout(r, 2000));
  await c.stopServer('SIGKILL');
  assert.ok(await until('server gone', async () => await runKubectlNoServer(c), 10_000));
  const loop = `end=$(($(date +%s)+10)); while [ $(date +%s) -lt $end ]; do curl -sS --max-time 2 http://${vip}/ || echo FAIL; done`;
  const results = await Promise.all(c.nodes().map((h) => c.th.runInHost(h.host, loop, { timeoutMs: 60_000 })));
  const answered = new Set<string>();
  for (const [i, res] of results.entries()) {
    const lines = res.stdout.trim().split('\n');
    const who = c.nodes()[i]!.name;
    assert.ok(lines.length >= 20, `${who}: only ${lines.length} requests: ${res.stderr}`);
    assert.equal(lines.filter((l) => l === 'FAIL').length, 0, `${who}: failures with the server down: ${res.stderr}`);
    for (const l of lines) answered.add(l);
  }
  assert.deepEqual([...answered].sort(), pods.map((p: Pod) => p.metadata.name!).sort(), 'every pod served');
});

/** True once the API server no longer answers. */
async function runKubectlNoServer(cl: MultiNodeCluster): Promise<boolean> {
  const r = await cl.kubectl(['get', 'ns', '--request-timeout', '2s']);
  return r.code !== 0;
}
