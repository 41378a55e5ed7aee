/**
 * Scheduling and node operations end to end on three simulated nodes of 2 CPUs, driven by the real
 * kubectl: an unschedulable pod and its FailedScheduling event, nodeSelector, taints (NoSchedule and
 * NoExecute), cordon/uncordon, drain through the eviction subresource, and namespace deletion.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { livePods, startSimCluster, waitFor, waitReadyPods, type SimCluster } from './workloads-harness.js';

const NS = 'wl-sched';

interface PodExtras {
  cpu?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
}

function podSpec(x: PodExtras = {}): Record<string, unknown> {
  return {
    containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: x.cpu ?? '100m' } } }],
    ...(x.nodeSelector ? { nodeSelector: x.nodeSelector } : {}),
    ...(x.tolerations ? { tolerations: x.tolerations } : {}),
  };
}

const podManifest = (name: string, x: PodExtras = {}, ns = NS) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: podSpec(x) });

const deploymentManifest = (name: string, replicas: number, x: PodExtras = {}, ns = NS) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec(x) } },
});

const nodesOf = (pods: readonly Pod[]) => new Set(pods.map((p) => p.spec!.nodeName!));

describe('workloads: scheduling and node operations on simulated nodes', () => {
  let c: SimCluster;
  const pod = (name: string) => c.client.pods<Pod>(NS).get(name);
  const waitPending = (name: string, message: string) => waitFor(`${name} unschedulable`, async () => {
    const p = await pod(name);
    const cond = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
    return !p.spec?.nodeName && cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message?.includes(message) ? p : false;
  });

  before(async () => {
    c = await startSimCluster({ nodes: 3, cpu: '2' });
    await c.ok(['create', 'namespace', NS]);
  });
  after(() => c?.stop());

  test('a pod requesting more CPU than any node has stays Pending with FailedScheduling', async () => {
    await c.ok(['apply', '-f', '-'], { input: podManifest('big', { cpu: '3' }) });
    const p = await waitPending('big', '0/3 nodes are available: 3 Insufficient cpu.');
    assert.equal(p.status?.phase, 'Pending');
    const describe = await waitFor('FailedScheduling in describe', async () => {
      const out = await c.ok(['-n', NS, 'describe', 'pod', 'big']);
      return /FailedScheduling/.test(out) ? out : false;
    });
    assert.match(describe, /^Status:\s+Pending$/m);
    assert.match(describe, /Warning\s+FailedScheduling\s+.*\s0\/3 nodes are available: 3 Insufficient cpu\./);
    assert.match(await c.ok(['-n', NS, 'get', 'pod', 'big']), /^big\s+0\/1\s+Pending\s/m);
    const events = await c.ok(['-n', NS, 'get', 'events', '--field-selector', 'reason=FailedScheduling,involvedObject.name=big']);
    assert.match(events, /Insufficient cpu/);
    await c.ok(['-n', NS, 'delete', 'pod', 'big', '--wait=false']);
  });

  test('nodeSelector is honoured, and a pod waiting for a label is scheduled once a node gets it', async () => {
    await c.ok(['label', 'node', 'sim-0002', 'disktype=ssd']);
    await c.ok(['apply', '-f', '-'], { input: deploymentManifest('ssd', 4, { nodeSelector: { disktype: 'ssd' } }) });
    const pods = await waitReadyPods(c.client, NS, 'app=ssd', 4);
    assert.deepEqual([...nodesOf(pods)], ['sim-0002']);

    await c.ok(['apply', '-f', '-'], { input: podManifest('nvme', { nodeSelector: { disktype: 'nvme' } }) });
    await waitPending('nvme', "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
    await c.ok(['label', 'node', 'sim-0003', 'disktype=nvme']);
    const placed = await waitReadyPods(c.client, NS, 'app=nvme', 1);
    assert.equal(placed[0]!.spec!.nodeName, 'sim-0003');
    await c.ok(['-n', NS, 'delete', 'deployment', 'ssd']);
    await c.ok(['-n', NS, 'delete', 'pod', 'nvme']);
    await c.ok(['label', 'node', 'sim-0002', 'disktype-']);
    await c.ok(['label', 'node', 'sim-0003', 'disktype-']);
  });

  test('kubectl taint: NoSchedule keeps pods off unless tolerated; NoExecute evicts them', async () => {
    assert.match(await c.ok(['taint', 'nodes', 'sim-0001', 'dedicated=db:NoSchedule']), /node\/sim-0001 tainted/);
    await c.ok(['apply', '-f', '-'], { input: deploymentManifest('spread', 6) });
    let pods = await waitReadyPods(c.client, NS, 'app=spread', 6);
    assert.deepEqual([...nodesOf(pods)].sort(), ['sim-0002', 'sim-0003']);

    const pinned = { 'kubernetes.io/hostname': 'sim-0001' };
    await c.ok(['apply', '-f', '-'], { input: podManifest('intolerant', { nodeSelector: pinned }) });
    await waitPending('intolerant', '1 node(s) had untolerated taint {dedicated: db}');
    await c.ok(['apply', '-f', '-'], { input: podManifest('tolerant', { nodeSelector: pinned, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }) });
    const tolerant = await waitReadyPods(c.client, NS, 'app=tolerant', 1);
    assert.equal(tolerant[0]!.spec!.nodeName, 'sim-0001');

    // NoExecute: the pods on sim-0003 are evicted and replaced on the one node left (sim-0002).
    const onThree = pods.filter((p) => p.spec!.nodeName === 'sim-0003').map((p) => p.metadata.name!);
    assert.ok(onThree.length > 0);
    await c.ok(['taint', 'nodes', 'sim-0003', 'maintenance=now:NoExecute']);
    pods = await waitFor('spread pods all on sim-0002', async () => {
      const ready = await waitReadyPods(c.client, NS, 'app=spread', 6);
      return nodesOf(ready).size === 1 && nodesOf(ready).has('sim-0002') ? ready : false;
    });
    assert.ok(onThree.every((n) => !pods.some((p) => p.metadata.name === n)));

    await c.ok(['taint', 'nodes', 'sim-0003', 'maintenance-']);
    assert.match(await c.ok(['taint', 'nodes', 'sim-0001', 'dedicated:NoSchedule-']), /node\/sim-0001 untainted/);
    // With the taint gone the waiting pod is scheduled on sim-0001.
    const freed = await waitReadyPods(c.client, NS, 'app=intolerant', 1);
    assert.equal(freed[0]!.spec!.nodeName, 'sim-0001');
    await c.ok(['-n', NS, 'delete', 'pod', 'intolerant', 'tolerant']);
  });

  test('kubectl cordon keeps new pods off a node; uncordon lets them back', async () => {
    assert.match(await c.ok(['cordon', 'sim-0001']), /node\/sim-0001 cordoned/);
    assert.match(await c.ok(['get', 'node', 'sim-0001']), /^sim-0001\s+Ready,SchedulingDisabled\s/m);
    await c.ok(['-n', NS, 'scale', 'deployment/spread', '--replicas=9']);
    let pods = await waitReadyPods(c.client, NS, 'app=spread', 9);
    assert.ok(!nodesOf(pods).has('sim-0001'), 'no pod on the cordoned node');

    assert.match(await c.ok(['uncordon', 'sim-0001']), /node\/sim-0001 uncordoned/);
    assert.match(await c.ok(['get', 'node', 'sim-0001']), /^sim-0001\s+Ready\s/m);
    await c.ok(['-n', NS, 'scale', 'deployment/spread', '--replicas=12']);
    pods = await waitReadyPods(c.client, NS, 'app=spread', 12);
    // The emptiest node gets the new replicas (spreading and balanced allocation).
    assert.ok(nodesOf(pods).has('sim-0001'), 'new pods land on the uncordoned node');
  });

  test('kubectl drain evicts the pods of a node and they run elsewhere', async () => {
    const before = await waitReadyPods(c.client, NS, 'app=spread', 12);
    const onTwo = before.filter((p) => p.spec!.nodeName === 'sim-0002').map((p) => p.metadata.name!);
    assert.ok(onTwo.length > 0);
    const r = await c.kubectl(['drain', 'sim-0002', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/sim-0002 cordoned/);
    // "evicting pod" is printed only when kubectl uses the eviction subresource (not plain deletes).
    assert.equal(r.stdout.match(/evicting pod wl-sched\//g)?.length, onTwo.length, r.stdout);
    for (const name of onTwo) assert.match(r.stdout, new RegExp(`pod/${name} evicted`));
    assert.match(r.stdout, /node\/sim-0002 drained/);
    const after2 = await waitReadyPods(c.client, NS, 'app=spread', 12);
    assert.ok(!nodesOf(after2).has('sim-0002'));
    assert.equal((await c.client.pods<Pod>().list({ fieldSelector: 'spec.nodeName=sim-0002' })).items.length, 0);
    assert.ok(after2.every((p) => !onTwo.includes(p.metadata.name!)), 'evicted pods were replaced, not moved');
    assert.match(await c.ok(['get', 'node', 'sim-0002']), /^sim-0002\s+Ready,SchedulingDisabled\s/m);
    await c.ok(['uncordon', 'sim-0002']);
  });

  test('deleting a namespace empties it', async () => {
    const gone = 'wl-sched-gone';
    await c.ok(['create', 'namespace', gone]);
    await c.ok(['apply', '-f', '-'], { input: deploymentManifest('app', 3, {}, gone) });
    await c.ok(['-n', gone, 'create', 'configmap', 'cfg', '--from-literal=a=1']);
    await c.ok(['-n', gone, 'create', 'secret', 'generic', 'sec', '--from-literal=b=2']);
    await waitReadyPods(c.client, gone, 'app=app', 3);
    assert.match(await c.ok(['delete', 'namespace', gone, '--timeout=60s']), new RegExp(`namespace "${gone}" deleted`));
    const r = await c.kubectl(['get', 'namespace', gone]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
    for (const list of [c.client.pods(gone), c.client.replicaSets(gone), c.client.deployments(gone), c.client.configMaps(gone), c.client.secrets(gone)]) {
      assert.equal((await list.list()).items.length, 0);
    }
    assert.equal((await livePods(c.client, NS, 'app=spread')).length, 12, 'other namespaces untouched');
  });
});
