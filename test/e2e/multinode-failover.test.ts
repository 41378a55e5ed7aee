/**
 * A node dies in a real 3-node cluster (src/testing/multi-node-cluster.ts: server with its embedded
 * node + two agents, each in its own network namespace with its own containerd), with short node
 * lifecycle timings on the server: grace period GRACE_S, default toleration TOLERATION_S (monitor
 * period 2 s). Killing agent n2's host (agent, containerd, shims and pod processes) must:
 *   - drop its endpoints from the Service as soon as the node goes Unknown (the node lifecycle
 *     controller marks its pods Ready=False, the EndpointSlice controller and the proxies follow),
 *     before any pod is evicted;
 *   - evict its pods after grace + toleration and have the Deployment's replacements Running and
 *     Ready on the other nodes within the configured time (plus the time to start a pod);
 *   - lose no request of a client looping through the ClusterIP from a surviving host, except
 *     those sent while the dead endpoints were still listed (in flight to the dead node). Their
 *     unanswered attempts leave conntrack entries (120 s) that a later connection given the same
 *     source port by the kernel would follow to the dead node; the proxy clears them with the
 *     endpoints (src/proxy/apply/conntrack.ts).
 * Then n2 comes back (same data dir, as after a reboot): the pods replaced elsewhere are not run
 * again on it, its evicted pods (Terminating meanwhile, as upstream) are confirmed gone, and the
 * Deployment keeps exactly 6 pods; the client still loses nothing. Last, a 3 s partition of n1
 * (shorter than the grace period: at most one lost heartbeat) changes nothing: no flapping.
 * n2 also runs the built-in Ingress controller: its IP, which it cannot withdraw when killed, leaves
 * the Ingress status once it is Unknown (src/controllers/ingress-status) and is back with it.
 * Needs root and scripts/build-test-images.sh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { Node, Pod } from '../../src/api/kinds/index.js';
import type { KubeObject } from '../../src/api/meta.js';
import { resources } from '../../src/client/resource-ref.js';
import { startMultiNodeCluster, type MultiNodeCluster } from '../../src/testing/multi-node-cluster.js';
import { applyWebDeployment, podsByNode, readyPods, until } from '../../src/testing/web-deployment.js';

const NS = 'default';
const GRACE_S = 10;
const TOLERATION_S = 5;
const MONITOR_S = 2;
/** What the configuration promises for eviction: silent for the grace period (seen within a monitor period), then the toleration. */
const CONFIGURED_MS = (GRACE_S + MONITOR_S + TOLERATION_S) * 1000;
/** Starting the replacement pods (sandbox, container, first readiness probe) on a busy 2-core machine. */
const POD_START_SLACK_MS = 15_000;
/** Control loops and proxies reacting to a change (watch delivery, queues, an nft apply). */
const REACTION_MS = 3_000;
/** The agent renews its Lease every 5 s: the last renewal can precede the death by that much. */
const LEASE_RENEW_MS = 5_000;
/** n2's Ingress HTTP port, in its own network namespace. */
const INGRESS_PORT = 20_000 + Math.floor(Math.random() * 9_000);

interface Slice extends KubeObject { endpoints?: { nodeName?: string; conditions?: { ready?: boolean } }[] }
interface Sample { at: number; line: string }

let c: MultiNodeCluster;
let vip = '';
let client: ChildProcess | undefined;
/** Each request of the client: when it started, whether it answered, and for diagnosis curl's exit code, the answer's first word and its connect and total times. */
const requests: { start: number; ok: boolean; detail?: string }[] = [];
const t: { kill?: number; unknown?: number; dropped?: number; evicted?: number; replaced?: number } = {};

before(async () => {
  c = await startMultiNodeCluster({
    ingressAgents: { n2: INGRESS_PORT },
    serverArgs: ['--node-monitor-grace-period', `${GRACE_S}s`, '--default-toleration-seconds', String(TOLERATION_S)],
  });
});

after(async () => {
  client?.kill('SIGKILL');
  await c?.teardown();
});

/** A client in host n1 sending requests through the ClusterIP back to back; one line per request. */
function startClient(): void {
  const loop = `while :; do s=$(date +%s%3N); o=$(curl -s -w ' connect=%{time_connect} total=%{time_total}' --max-time 3 http://${vip}/ 2>&1); c=$?; if [ $c -eq 0 ]; then r=ok; else r=fail; fi; set -- $o; echo "$s $r curl=$c $*"; sleep 0.05; done`;
  client = c.th.spawnInHost('n1', 'sh', ['-c', loop]);
  let buf = '';
  client.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      const [s, r, ...rest] = l.split(' ');
      requests.push({ start: Number(s), ok: r === 'ok', detail: rest.join(' ') });
    }
  });
}

/**
 * Waits until every request sent before `at` has its line: one sent after it has (requests go one
 * at a time), so a request still waiting out curl's 3 s at a check is judged too, not skipped.
 */
async function allRecordedUntil(at: number): Promise<void> {
  await until('the client\'s requests sent so far recorded', () => requests.some((r) => r.start > at), 30_000);
}

test('a 6-replica Deployment spread over three nodes, a client looping through its Service', async () => {
  vip = await applyWebDeployment(c.kubectl, NS, { replicas: 6 });
  const pods = await until('6 ready web pods', async () => {
    const p = await readyPods(c.admin, NS);
    return p.length === 6 && p;
  }, 120_000);
  const perNode = podsByNode(pods);
  assert.ok((perNode.get(c.node('n2').nodeName)?.length ?? 0) >= 1, 'pods on n2');
  startClient();
  await until('the client running', () => requests.filter((r) => r.ok).length >= 20, 30_000);
  assert.equal(requests.filter((r) => !r.ok).length, 0, 'no failure before the node dies');
});

/** The IPs in the status of Ingress `web` (ADDRESS), as its controllers wrote them. */
async function ingressAddresses(): Promise<string> {
  return (await c.kubectl(['get', 'ingress', 'web', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout.trim();
}

test('n2 runs the Ingress controller: its IP is the Ingress\'s ADDRESS', async () => {
  const created = await c.kubectl(['create', 'ingress', 'web', '-n', NS, '--rule', 'web.test/*=web:80']);
  assert.equal(created.code, 0, created.stderr);
  await until('n2\'s IP in the Ingress status', async () => (await ingressAddresses()) === c.node('n2').host.ip, 30_000);
});

test('killing n2: endpoints dropped at NotReady, pods replaced within the configured time', async () => {
  const n2 = c.node('n2').nodeName;
  const onN2 = new Set((await readyPods(c.admin, NS)).filter((p) => p.spec!.nodeName === n2).map((p) => p.metadata.name!));
  const samples: Sample[] = [];
  t.kill = Date.now();
  await c.killNode('n2');
  // Sampled every 100 ms: the first moment each step is seen.
  await until('6 replacements ready off n2', async () => {
    const now = Date.now();
    const [node, slices, pods] = await Promise.all([
      c.admin.nodes<Node>().get(n2),
      c.admin.resource<Slice>(resources.endpointslices, NS).list({ labelSelector: 'kubernetes.io/service-name=web' }),
      c.admin.pods<Pod>(NS).list({ labelSelector: 'app=web' }),
    ]);
    const ready = node.status?.conditions?.find((x) => x.type === 'Ready')?.status;
    if (ready !== 'True' && !t.unknown) {
      t.unknown = now;
      samples.push({ at: now, line: `node Ready=${ready}` });
    }
    const liveOnN2 = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.nodeName === n2 && e.conditions?.ready !== false);
    if (liveOnN2.length === 0 && !t.dropped) {
      t.dropped = now;
      samples.push({ at: now, line: 'no ready endpoint on n2' });
    }
    const stillThere = pods.items.filter((p) => onN2.has(p.metadata.name!) && !p.metadata.deletionTimestamp);
    if (stillThere.length < onN2.size && !t.evicted) {
      t.evicted = now;
      samples.push({ at: now, line: 'first eviction' });
    }
    const good = (await readyPods(c.admin, NS)).filter((p) => p.spec!.nodeName !== n2);
    if (good.length === 6 && !t.replaced) {
      t.replaced = now;
      samples.push({ at: now, line: '6 ready pods off n2' });
    }
    return t.replaced !== undefined;
  }, CONFIGURED_MS + POD_START_SLACK_MS + 30_000);
  const rel = (x?: number): string => (x === undefined ? '-' : `${((x - t.kill!) / 1000).toFixed(1)} s`);
  console.log(`# failover: NotReady ${rel(t.unknown)}, endpoints dropped ${rel(t.dropped)}, first eviction ${rel(t.evicted)}, all replaced ${rel(t.replaced)}`);
  assert.ok(t.unknown && t.dropped && t.evicted && t.replaced, JSON.stringify(samples));
  // Endpoints: dropped right after the node is seen NotReady, long before eviction.
  assert.ok(t.dropped - t.unknown <= REACTION_MS, `endpoints dropped ${t.dropped - t.unknown} ms after NotReady`);
  assert.ok(t.dropped < t.evicted, 'endpoints dropped before eviction');
  assert.ok(t.unknown - t.kill <= (GRACE_S + MONITOR_S) * 1000 + REACTION_MS, `NotReady after ${t.unknown - t.kill} ms`);
  // Eviction honours grace and toleration (the last renewal may precede the death by one period,
  // and the taint's timeAdded has whole seconds).
  assert.ok(t.evicted - t.kill >= (GRACE_S + TOLERATION_S) * 1000 - LEASE_RENEW_MS - 1250, `evicted after only ${t.evicted - t.kill} ms`);
  assert.ok(t.replaced - t.kill <= CONFIGURED_MS + REACTION_MS + POD_START_SLACK_MS, `replaced after ${t.replaced - t.kill} ms`);
});

test('the dead n2\'s IP, which it could not withdraw, has left the Ingress status', async () => {
  // n2 has been Unknown for the whole replacement: the ingress-status controller acted long ago.
  await until('no address left on the Ingress', async () => (await ingressAddresses()) === '', 30_000);
});

test('the client lost only requests sent while the dead endpoints were listed', async () => {
  await new Promise((r) => setTimeout(r, 2000));
  await allRecordedUntil(Date.now());
  const lostAfter = requests.filter((r) => !r.ok && r.start > t.dropped! + REACTION_MS);
  const lostBefore = requests.filter((r) => !r.ok && r.start < t.kill! - 1000);
  const inWindow = requests.filter((r) => r.start >= t.kill! - 1000 && r.start <= t.dropped! + REACTION_MS);
  console.log(`# client: ${requests.length} requests, ${requests.filter((r) => !r.ok).length} failed, all among the ${inWindow.length} sent between the death and the endpoints' removal`);
  assert.deepEqual(lostBefore, [], 'none lost before the death');
  assert.deepEqual(lostAfter, [], 'none lost once the dead endpoints were dropped');
  assert.ok(requests.filter((r) => r.ok && r.start > t.dropped! + REACTION_MS).length >= 20, 'the client kept running');
});

test('n2 coming back does not duplicate pods', async () => {
  const n2 = c.node('n2').nodeName;
  const all = (await c.admin.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items;
  const before = new Set(all.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!));
  // As upstream, the evicted pods stay Terminating while their node cannot confirm they stopped.
  const terminating = all.filter((p) => p.metadata.deletionTimestamp);
  assert.ok(terminating.every((p) => p.spec?.nodeName === n2), 'only n2\'s pods are Terminating');
  const back = Date.now();
  await c.restartAgent('n2');
  // The agent starts right after the host's network is back, and waits out what is not up yet (retry-transient.ts).
  const retries = c.node('n2').output().split('\n').filter((l) => l.includes('; retrying in '));
  console.log(`# n2 restart: ${retries.length} retried request(s)${retries.length ? `, first: ${retries[0]}` : ''}`);
  await until('n2 Ready again', async () => (await c.admin.nodes<Node>().get(n2)).status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True', 60_000);
  const cri = c.cri('n2');
  try {
    // Its old sandboxes (of pods now deleted) are stopped and removed, not restarted.
    await until('n2 runs no web pod', async () => {
      const running = (await cri.listContainers()).filter((x) => x.state === 'CONTAINER_RUNNING');
      const ready = (await cri.listPodSandboxes()).filter((s) => s.state === 'SANDBOX_READY');
      return running.length === 0 && ready.length === 0;
    }, 60_000);
    // Give a returning node's agent time to do something wrong.
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual((await cri.listContainers()).filter((x) => x.state === 'CONTAINER_RUNNING'), []);
  } finally {
    cri.close();
  }
  // The returning agent confirms its evicted pods stopped: they go; nothing else changes.
  const pods = await until('the evicted pods gone', async () => {
    const items = (await c.admin.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items;
    return items.length === 6 && items;
  }, 30_000).catch(async () => (await c.admin.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items);
  assert.equal(pods.length, 6, pods.map((p) => `${p.metadata.name}@${p.spec?.nodeName}`).join(' '));
  assert.deepEqual(new Set(pods.map((p) => p.metadata.name!)), before, 'no pod created or deleted by the return');
  assert.equal((await readyPods(c.admin, NS)).length, 6);
  const d = await c.kubectl(['get', 'deployment', 'web', '-n', NS, '-o', 'jsonpath={.status.replicas} {.status.readyReplicas}']);
  assert.equal(d.stdout.trim(), '6 6');
  await allRecordedUntil(Date.now());
  const lost = requests.filter((r) => !r.ok && r.start > back);
  assert.deepEqual(lost, [], 'the client lost nothing while n2 came back');
  // Its Ingress controller is back too, and so is its IP (kept once n2 is Ready).
  await until('n2\'s IP back in the Ingress status', async () => (await ingressAddresses()) === c.node('n2').host.ip, 30_000);
});

// No flapping: a partition shorter than the grace period (one lost heartbeat) changes nothing.
test('a partition of n1 that heals within the grace period evicts nothing', async () => {
  client?.kill('SIGKILL');
  client = undefined;
  const n1 = c.node('n1');
  const names = new Set((await readyPods(c.admin, NS)).map((p) => p.metadata.name!));
  const end = Date.now() + (GRACE_S + TOLERATION_S + MONITOR_S) * 1000 + REACTION_MS;
  await c.th.unplugHost('n1');
  const healed = new Promise((r) => setTimeout(r, 3000)).then(() => c.th.reviveHost('n1'));
  const seen = new Set<string>();
  while (Date.now() < end) {
    const node = await c.admin.nodes<Node>().get(n1.nodeName);
    seen.add(node.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? 'none');
    for (const taint of node.spec?.taints ?? []) seen.add(taint.key);
    const pods = (await c.admin.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items;
    for (const p of pods) if (names.has(p.metadata.name!) && p.metadata.deletionTimestamp) seen.add(`evicted ${p.metadata.name}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await healed;
  assert.deepEqual([...seen], ['True'], 'n1 stayed Ready, untainted, its pods in place');
  assert.equal((await readyPods(c.admin, NS)).length, 6);
});
