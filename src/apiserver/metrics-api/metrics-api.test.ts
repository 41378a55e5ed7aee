/**
 * metrics.k8s.io through the real kubectl on simulated nodes: each container of a Running pod uses
 * what the pod's metrics.bosun.dev annotations say (as KWOK's usage-from-annotation), a node the sum
 * of its pods. `kubectl top node` and `kubectl top pod` find the API through discovery, as they find
 * metrics-server's; label selectors, --sort-by and --containers work; get of a pod without metrics
 * is 404, a write is 405.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';

const P = `mapi${process.pid % 1000}`;
const NS = `${P}-ns`;
let env: ClientEnv;
let client: KubeClient;
let fleet: SimulatedFleet;

const pod = (name: string, node: string, labels: Record<string, string>, cpu?: string, memory?: string, containers = ['main']): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: NS, labels,
    annotations: { ...(cpu ? { 'metrics.bosun.dev/cpu': cpu } : {}), ...(memory ? { 'metrics.bosun.dev/memory': memory } : {}) },
  },
  spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
} as Pod);

before(async () => {
  env = await startClientEnv({ namespace: NS });
  ({ client } = env);
  fleet = await startSimulatedNodes(client, { count: 2, prefix: `${P}-`, heartbeatMs: 500, readyDelayMs: 50, cpu: '4', memory: '8Gi', pods: 20, logger: quietLogger });
  const [n1, n2] = fleet.nodeNames as [string, string];
  const pods = [
    pod('web-a', n1, { app: 'web' }, '250m', '64Mi'),
    pod('web-b', n1, { app: 'web' }, '1500m', '128Mi', ['main', 'sidecar']),
    pod('web-c', n2, { app: 'web' }, '100m', '32Mi'),
    pod('db', n2, { app: 'db' }, '2', '1Gi'),
    pod('quiet', n2, { app: 'quiet' }),
  ];
  for (const p of pods) await client.pods(NS).create(p);
  await eventually(async () => (await client.pods<Pod>(NS).list()).items.filter((p) => p.status?.phase === 'Running').length === pods.length, 'pods Running');
});
after(async () => {
  await fleet?.close({ deleteNodes: true });
  await env?.stop();
});

const rows = (out: string): string[][] => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));

test('kubectl top node: the sum of its pods\' annotated usage, percent of allocatable', async () => {
  const [n1, n2] = fleet.nodeNames as [string, string];
  const out = await kubectlOk(env.ts, ['top', 'node', '-l', 'node.bosun.dev/simulated=true', '--no-headers=false']);
  const byNode = new Map(rows(out).map((r) => [r[0], r.slice(1)]));
  // n1: web-a 250m + web-b 2 containers x 1500m = 3250m of 4 cores; 64Mi + 2 x 128Mi = 320Mi of 8Gi.
  assert.deepEqual(byNode.get(n1), ['3250m', '81%', '320Mi', '3%']);
  // n2: 100m + 2000m = 2100m; 32Mi + 1024Mi = 1056Mi.
  assert.deepEqual(byNode.get(n2), ['2100m', '52%', '1056Mi', '12%']);
});

test('kubectl top pod --sort-by=cpu -l app=web, and --containers', async () => {
  const out = await kubectlOk(env.ts, ['top', 'pod', '-n', NS, '--sort-by=cpu', '-l', 'app=web']);
  assert.deepEqual(rows(out), [['web-b', '3000m', '256Mi'], ['web-a', '250m', '64Mi'], ['web-c', '100m', '32Mi']]);
  const cs = await kubectlOk(env.ts, ['top', 'pod', 'web-b', '-n', NS, '--containers']);
  assert.deepEqual(rows(cs), [['web-b', 'main', '1500m', '128Mi'], ['web-b', 'sidecar', '1500m', '128Mi']]);
  const quiet = await kubectlOk(env.ts, ['top', 'pod', 'quiet', '-n', NS]);
  assert.deepEqual(rows(quiet), [['quiet', '0m', '0Mi']]);
});

test('the API itself: discovery, list by namespace, 404 for a pod without metrics, 405 for a write', async () => {
  const groups = await kubectlOk(env.ts, ['api-resources', '--api-group=metrics.k8s.io', '-o', 'name']);
  assert.deepEqual(groups.trim().split('\n').sort(), ['nodes.metrics.k8s.io', 'pods.metrics.k8s.io']);
  // Plain `pods` and `nodes` still mean the core kinds: kubectl prefers the core group, as beside metrics-server.
  assert.match(await kubectlOk(env.ts, ['get', 'pods', '-n', NS, 'db', '-o', 'jsonpath={.apiVersion} {.spec.nodeName}']), /^v1 \S+$/);
  assert.equal(await kubectlOk(env.ts, ['get', 'nodes', fleet.nodeNames[0]!, '-o', 'jsonpath={.kind}']), 'Node');
  const raw = JSON.parse(await kubectlOk(env.ts, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/web-a`])) as { kind: string; window: string; containers: unknown[] };
  assert.equal(raw.kind, 'PodMetrics');
  assert.deepEqual(raw.containers, [{ name: 'main', usage: { cpu: '250000000n', memory: '64Mi' } }]);
  const missing = await env.ts.kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/nope`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound|not found/);
  const list = JSON.parse(await kubectlOk(env.ts, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3Ddb`])) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(list.items.map((i) => i.metadata.name), ['db']);
  const write = await env.ts.kubectl(['delete', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/web-a`]);
  assert.notEqual(write.code, 0);
  assert.match(write.stderr, /MethodNotAllowed|not allow|405/);
});
