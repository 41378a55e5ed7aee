/**
 * A real 3-node cluster from network namespaces (src/testing/multi-node-cluster.ts): `bosun server`
 * with its embedded node in one host, two `bosun agent`s in two others, each node with its own
 * containerd. A 6-replica Deployment spreads over the three nodes; pods reach pods on the other
 * nodes by IP and the Service from every node; a node credential cannot touch another node; an
 * agent that dies (SIGKILL) leaves its pods, routes and Service rules working (a clean SIGTERM
 * stop leaves them too, as kube-proxy does; `bosun killall` removes them); and once the server
 * is killed every pod keeps serving through its Service from every host.
 * The agent n1 and the server's node run the built-in Ingress controller (`bosun agent
 * --ingress-http-port`, the server naming n1 in --agent-ingress-nodes): an Ingress's host rule
 * reaches a pod on n2 through either node's IP, and `kubectl get ing` shows both IPs; an agent the
 * server did not name is refused at start.
 * Needs root, `npm run build` and scripts/build-test-images.sh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from '../../src/api/kinds/index.js';
import type { KubeObject } from '../../src/api/meta.js';
import { resources } from '../../src/client/resource-ref.js';
import { REPO_ROOT } from '../../src/agent/testing/private-containerd.js';
import { runKubectl } from '../../src/testing/test-cluster.js';
import { startMultiNodeCluster, type MultiNodeCluster } from '../../src/testing/multi-node-cluster.js';
import { applyWebDeployment, podsByNode, readyPods, until } from '../../src/testing/web-deployment.js';

const NS = 'default';
/** n1's Ingress HTTP port: any port is free in its own network namespace; outside the NodePort range. */
const INGRESS_PORT = 20_000 + Math.floor(Math.random() * 9_000);
let c: MultiNodeCluster;
let vip = '';
/** Pod name -> node name of the ready web pods. */
let placement = new Map<string, string>();

before(async () => {
  c = await startMultiNodeCluster({ ingressAgents: { n1: INGRESS_PORT }, serverArgs: ['--ingress-http-port', String(INGRESS_PORT)] });
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

// architecture/conformance.go: WaitForAllNodesSchedulable, then e2enode.GetReadySchedulableNodes
// (the nodes listed with spec.unschedulable=false, kept when Ready, NetworkUnavailable unset or
// False, and no NoSchedule/NoExecute taint: a pod without tolerations could land) must be >= 2.
const schedulable = (n: Node): boolean => {
  const cond = (type: string) => n.status?.conditions?.find((x) => x.type === type)?.status;
  return !n.spec?.unschedulable && cond('Ready') === 'True' && (cond('NetworkUnavailable') ?? 'False') === 'False'
    && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
};
test('[sig-architecture] Conformance Tests should have at least two untainted nodes [Conformance]', async () => {
  const nodes = c.admin.resource(resources.nodes);
  await until('every node schedulable', async () => (await nodes.list()).items.every(schedulable), 120_000);
  const listed = (await nodes.list({ fieldSelector: 'spec.unschedulable=false' })).items;
  const ready = listed.filter(schedulable);
  assert.ok(ready.length >= 2, `Conformance requires at least two nodes: ${JSON.stringify(listed.map((n) => ({ name: n.metadata.name, taints: n.spec?.taints, unschedulable: n.spec?.unschedulable })))}`);
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

// The Ingress controller of a joined agent (n1), and the server node's, route to a pod on another
// node (n2) across the pod network, as ingress-nginx or Traefik on the host network of several
// nodes: a client elsewhere (host n2) asks each node's IP and ingress port with the rule's Host
// header. Both controllers publish their node's IP in the status (ingress-status.ts).
test('an Ingress on the agent n1 (and the server) reaches a pod on n2; kubectl get ing shows both IPs', async () => {
  const n1 = c.node('n1');
  const ingressNodes = [c.server, n1];
  const target = (await readyPods(c.admin, NS)).find((p) => p.spec!.nodeName === c.node('n2').nodeName)!;
  assert.ok(target, 'a ready web pod on n2');
  // Only that pod backs the Service: a label of its own (the ReplicaSet ignores extra labels).
  const label = await c.kubectl(['label', 'pod', '-n', NS, target.metadata.name!, 'ingress-target=yes']);
  assert.equal(label.code, 0, label.stderr);
  const host = `web.${c.th.prefix}.test`;
  const manifests = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ing-web', namespace: NS }, spec: { selector: { app: 'web', 'ingress-target': 'yes' }, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing-web', namespace: NS },
      spec: { ingressClassName: 'bosun', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ing-web', port: { number: 80 } } } }] } }] },
    },
  ].map((d) => JSON.stringify(d)).join('\n');
  const applied = await c.kubectl(['apply', '-f', '-'], { input: manifests });
  assert.equal(applied.code, 0, applied.stderr);
  // `<body>|<status>`, the body (the answering pod's name) without its newline.
  const get = async (hostHeader: string, via = n1) => {
    const r = await c.th.runInHost('n2', ['curl', '-sS', '--max-time', '3', '-w', '|%{http_code}', '-H', `Host: ${hostHeader}`, `http://${via.host.ip}:${INGRESS_PORT}/`]);
    return { stdout: r.stdout.replace(/\n/g, ''), stderr: r.stderr };
  };
  let last = '';
  await until('the Ingress routes to the n2 pod', async () => {
    const r = await get(host);
    last = `${r.stdout} ${r.stderr}`;
    return r.stdout === `${target.metadata.name}|200`;
  }, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}; last answer: ${last}\nn1's output (end):\n${n1.output().slice(-2000)}`);
  });
  for (let i = 0; i < 5; i++) assert.equal((await get(host)).stdout, `${target.metadata.name}|200`, 'every request reaches the one backend on n2');
  await until('the server node\'s controller routes too', async () => (await get(host, c.server)).stdout === `${target.metadata.name}|200`, 30_000);
  const unknown = await get(`other.${c.th.prefix}.test`);
  assert.match(unknown.stdout, /\|404$/, `a host no rule names: ${unknown.stdout} ${unknown.stderr}`);
  // ADDRESS is status.loadBalancer.ingress, where each controller adds its node IP (sorted): the two
  // writes race, the one that conflicts is made again on the other's event.
  const ips = ingressNodes.map((h) => h.host.ip).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(',');
  let listed = '';
  await until('both nodes\' IPs in ADDRESS', async () => {
    listed = (await c.kubectl(['get', 'ing', 'ing-web', '-n', NS, '--no-headers'])).stdout;
    return listed.trim().split(/\s+/)[3] === ips;
  }, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${listed}`);
  });
  assert.match(listed, new RegExp(`^ing-web\\s+bosun\\s+${host.replace(/\./g, '\\.')}\\s+${ips.replace(/\./g, '\\.')}\\s+80\\s`));
  const deleted = await c.kubectl(['delete', 'ingress,service', 'ing-web', '-n', NS]);
  assert.equal(deleted.code, 0, deleted.stderr);
});

// Its credential reads every Secret, so the server issues it only to the nodes it names
// (--agent-ingress-nodes): another agent asking for it fails its start with the 403's advice, and
// the refused join registers no Node and writes no credential.
test('an agent the server did not name in --agent-ingress-nodes fails its start with 403', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), `bosun-mn-${c.th.prefix}-refused-`));
  const nodeName = `${c.th.prefix}-refused`;
  try {
    const r = await c.th.runInHost('n2', [process.execPath, join(REPO_ROOT, 'bin/bosun.js'), 'agent', '--server', c.url,
      '--token-file', join(c.server.dataDir, 'token'), '--node-name', nodeName, '--node-ip', c.node('n2').host.ip,
      '--data-dir', dataDir, '--ingress-http-port', String(INGRESS_PORT)], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, `the agent must not start:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, new RegExp(`\\(403\\): node "${nodeName}" may not run the Ingress controller: .*--agent-ingress-nodes=${nodeName} \\(or \\*\\)`));
    assert.equal(existsSync(join(dataDir, 'agent', 'pki', 'client.crt')), false, 'no credential written');
    const node = await c.kubectl(['get', 'node', nodeName]);
    assert.match(node.stderr, /NotFound/, 'no Node registered');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
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
