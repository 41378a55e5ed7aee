/**
 * The Deployment and ReplicaSet controllers together against an in-process API server, driven by
 * the real kubectl. No kubelet runs: a stand-in marks each new pod Ready through pods/status shortly
 * after it appears (pods whose image contains "broken" never become ready).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { addReplicaSetController } from '../replicaset/replicaset-controller.js';
import { addDeploymentController } from './deployment-controller.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import type { Deployment } from './types.js';
import { computeHash } from './template-hash.js';
import { statusWrites } from '../../testing/status-writes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const eventually = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50, retryErrors: true });

const isReady = (p: Pod) => (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
const imageOf = (p: Pod) => String(p.spec?.containers?.[0]?.image ?? '');

async function setup() {
  const ns = `deploy-test-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({
    namespace: ns,
    shareClient: true,
    add: (mgr) => {
      addReplicaSetController(mgr);
      addDeploymentController(mgr);
    },
  });
  const { client, ts: server } = env;

  // Pod state as seen through one watch: the kubelet stand-in and the invariant checks read it.
  const pods = new Map<string, Pod>();
  const listeners = new Set<() => void>();
  const watch = await client.pods<Pod>(ns).watch({ resourceVersion: '0' });
  const marked = new Set<string>();
  const pump = (async () => {
    for await (const ev of watch) {
      const p = ev.object;
      if (ev.type === 'DELETED' || p.metadata.deletionTimestamp) pods.delete(p.metadata.name!);
      else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') pods.set(p.metadata.name!, p);
      for (const l of listeners) l();
      if (ev.type !== 'ADDED' || isReady(p) || imageOf(p).includes('broken') || marked.has(p.metadata.name!)) continue;
      marked.add(p.metadata.name!);
      setTimeout(() => {
        client.pods(ns).patchStatus(p.metadata.name!, 'merge', {
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
        }).catch(() => undefined);
      }, 100);
    }
  })();
  return {
    client, ns, server, pods,
    kubectl: (args: string[]) => server.kubectl([...args, '-n', ns]),
    /** Call `check` after every pod event until the returned function is called. */
    observe(check: () => void): () => void {
      listeners.add(check);
      return () => listeners.delete(check);
    },
    async stop() {
      watch.stop();
      await pump.catch(() => undefined);
      await env.stop();
    },
  };
}

const deployment = (name: string, image: string, extra: Partial<Deployment['spec']> = {}): Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    ...extra,
  },
});

const replicaSetsOf = async (client: KubeClient, ns: string) =>
  (await client.replicaSets<ReplicaSet>(ns).list()).items.sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']));

test('Deployment: rollout, rolling update within maxSurge/maxUnavailable, revisions, undo, pause/resume (kubectl)', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns, kubectl } = env;
  await client.deployments<Deployment>(ns).create(deployment('web', 'nginx:1'));

  let r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /successfully rolled out/);
  let rss = await replicaSetsOf(client, ns);
  assert.equal(rss.length, 1);
  const first = rss[0]!;
  const hash = first.metadata.labels!['pod-template-hash']!;
  assert.equal(first.metadata.name, `web-${hash}`);
  assert.equal(first.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  let d = await client.deployments<Deployment>(ns).get('web');
  assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.readyReplicas, d.status?.availableReplicas], [3, 3, 3, 3]);
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasAvailable');
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');

  // Rolling update: watch every pod event for the invariants.
  let maxTotal = 0;
  let minReady = Infinity;
  const stopObserving = env.observe(() => {
    const all = [...env.pods.values()];
    maxTotal = Math.max(maxTotal, all.length);
    minReady = Math.min(minReady, all.filter(isReady).length);
  });
  const before = await statusWrites(client, 'deployments');
  r = await kubectl(['set', 'image', 'deployment/web', 'c=nginx:2']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  stopObserving();
  // Only the controller writes the Deployment during the rollout: none of its status writes may
  // carry a resourceVersion its own earlier write replaced (the cache lags its writes).
  const writes = await statusWrites(client, 'deployments', before);
  assert.ok(writes.ok > 0, 'the rollout wrote status');
  assert.equal(writes.conflicts, 0, `status writes that conflicted (of ${writes.ok + writes.conflicts})`);
  assert.ok(maxTotal <= 4, `pods never exceed replicas + maxSurge (saw ${maxTotal})`);
  assert.ok(minReady >= 2, `ready pods never drop below replicas - maxUnavailable (saw ${minReady})`);
  assert.equal(maxTotal > 3 || minReady < 3, true, 'the rollout actually replaced pods');
  await eventually(async () => [...env.pods.values()].every((p) => imageOf(p) === 'nginx:2') && env.pods.size === 3, 'new pods only');

  rss = await replicaSetsOf(client, ns);
  assert.equal(rss.length, 2);
  assert.deepEqual(rss.map((x) => [x.metadata.annotations!['deployment.kubernetes.io/revision'], x.spec.replicas]), [['1', 0], ['2', 3]]);
  d = await client.deployments<Deployment>(ns).get('web');
  assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');

  const events = (await client.events(ns).list({ fieldSelector: 'involvedObject.name=web' })).items as unknown as { reason: string; message: string }[];
  const scaling = events.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
  assert.ok(scaling.includes(`Scaled up replica set web-${hash} from 0 to 3`), scaling.join('\n'));
  assert.ok(scaling.some((m) => m.startsWith(`Scaled down replica set web-${hash} from 3 to `)), scaling.join('\n'));

  r = await kubectl(['rollout', 'history', 'deployment/web']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\s/m);
  assert.match(r.stdout, /^2\s/m);

  // Undo: kubectl copies revision 1's template back; the controller reuses that ReplicaSet as revision 3.
  r = await kubectl(['rollout', 'undo', 'deployment/web']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  rss = await replicaSetsOf(client, ns);
  assert.equal(rss.length, 2, 'no third ReplicaSet');
  const reused = rss.find((x) => x.metadata.name === first.metadata.name)!;
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(reused.spec.replicas, 3);
  assert.equal((await client.deployments<Deployment>(ns).get('web')).metadata.annotations!['deployment.kubernetes.io/revision'], '3');

  // Pause: a template change makes no new ReplicaSet until resumed.
  r = await kubectl(['rollout', 'pause', 'deployment/web']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['set', 'image', 'deployment/web', 'c=nginx:3']);
  assert.equal(r.code, 0, r.stderr);
  d = await eventually(async () => {
    const x = await client.deployments<Deployment>(ns).get('web');
    return x.status?.conditions?.find((c) => c.type === 'Progressing')?.reason === 'DeploymentPaused' && (x.status.observedGeneration ?? 0) >= (x.metadata.generation ?? 0) && x;
  }, 'paused condition');
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status, 'Unknown');
  await sleep(300);
  assert.equal((await replicaSetsOf(client, ns)).length, 2, 'no rollout while paused');
  r = await kubectl(['rollout', 'resume', 'deployment/web']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  rss = await replicaSetsOf(client, ns);
  assert.equal(rss.length, 3);
  assert.equal(rss[2]!.metadata.annotations!['deployment.kubernetes.io/revision'], '4');

  // kubectl scale goes through deployments/scale; the settled ReplicaSet takes the new size.
  r = await kubectl(['scale', 'deployment/web', '--replicas=5']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  rss = await replicaSetsOf(client, ns);
  assert.deepEqual(rss.map((x) => x.spec.replicas), [0, 0, 5]);
  assert.equal(rss[2]!.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '5');
  await eventually(async () => [...env.pods.values()].filter(isReady).length === 5, '5 ready pods');
});

test('Deployment: no progress within progressDeadlineSeconds sets ProgressDeadlineExceeded; rollout status fails', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns, kubectl } = env;
  await client.deployments<Deployment>(ns).create(deployment('stuck', 'nginx:1', { replicas: 2 }));
  let r = await kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  await client.deployments(ns).patch('stuck', 'merge', { spec: { progressDeadlineSeconds: 2, template: { spec: { containers: [{ name: 'c', image: 'broken:1' }] } } } });
  const d = await eventually(async () => {
    const x = await client.deployments<Deployment>(ns).get('stuck');
    const c = x.status?.conditions?.find((k) => k.type === 'Progressing');
    return c?.reason === 'ProgressDeadlineExceeded' && x;
  }, 'deadline exceeded', 15_000);
  const c = d.status!.conditions!.find((k) => k.type === 'Progressing')!;
  assert.equal(c.status, 'False');
  assert.match(c.message!, /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
  assert.ok((d.status?.availableReplicas ?? 0) >= 1, 'old pods keep serving');
  r = await kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=20s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /exceeded its progress deadline/);
});

test('Deployment: Recreate scales the old ReplicaSet to zero before creating the new one', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns, kubectl } = env;
  await client.deployments<Deployment>(ns).create(deployment('rc', 'nginx:1', { strategy: { type: 'Recreate' } }));
  let r = await kubectl(['rollout', 'status', 'deployment/rc', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  let mixed = false;
  const stop = env.observe(() => {
    const images = new Set([...env.pods.values()].map(imageOf));
    if (images.size > 1) mixed = true;
  });
  r = await kubectl(['set', 'image', 'deployment/rc', 'c=nginx:2']);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl(['rollout', 'status', 'deployment/rc', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  stop();
  assert.equal(mixed, false, 'old and new pods never run together');
  const rss = await replicaSetsOf(client, ns);
  assert.deepEqual(rss.map((x) => x.spec.replicas), [0, 3]);
});

test('Deployment: a foreign ReplicaSet squatting on <name>-<hash> bumps collisionCount and the next hash is used', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns, kubectl } = env;
  const d = deployment('clash', 'nginx:1', { replicas: 1 });
  // The hash of the template as stored (after server defaulting): a dry-run create shows it.
  const stored = await client.deployments<Deployment>(ns).create(d, { dryRun: true });
  const hash = computeHash(stored.spec.template);
  await client.replicaSets<ReplicaSet>(ns).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `clash-${hash}`, labels: { app: 'squatter' } },
    spec: { replicas: 0, selector: { matchLabels: { app: 'squatter' } }, template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  await client.deployments<Deployment>(ns).create(d);
  const r = await kubectl(['rollout', 'status', 'deployment/clash', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  const got = await client.deployments<Deployment>(ns).get('clash');
  assert.equal(got.status?.collisionCount, 1);
  const owned = (await client.replicaSets<ReplicaSet>(ns).list()).items.filter((x) => x.metadata.ownerReferences?.[0]?.uid === got.metadata.uid);
  assert.deepEqual(owned.map((x) => x.metadata.name), [`clash-${computeHash(stored.spec.template, 1)}`]);
});
