/**
 * Deployments end to end on simulated nodes, driven by the real kubectl: spread across nodes, scale,
 * rolling update within maxSurge/maxUnavailable (checked through a pod watch), rollout
 * status/history/undo/pause/resume, replacement of a deleted pod, cascading deletion.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Pod, ReplicaSet } from '../../src/api/kinds/index.js';
import { livePods, podReady, sleep, startSimCluster, waitFor, waitReadyPods, watchPods, type SimCluster } from './workloads-harness.js';

const NS = 'wl-deploy';

function deployment(name: string, replicas: number, image: string, extra: { maxSurge?: string | number; maxUnavailable?: string | number } = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: extra.maxSurge ?? '25%', maxUnavailable: extra.maxUnavailable ?? '25%' } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  });
}

const imagesOf = (pods: readonly Pod[]): string[] => [...new Set(pods.map((p) => p.spec!.containers[0]!.image!))];

describe('workloads: deployments on simulated nodes', () => {
  let c: SimCluster;
  before(async () => {
    c = await startSimCluster({ nodes: 3 });
    await c.ok(['create', 'namespace', NS]);
  });
  after(() => c?.stop());

  test('a Deployment of 5 replicas runs spread across 3 nodes; rollout status waits for it', async () => {
    await c.ok(['apply', '-f', '-'], { input: deployment('web', 5, 'nginx:1.26') });
    const status = await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(status, /deployment "web" successfully rolled out/);
    const pods = await waitReadyPods(c.client, NS, 'app=web', 5);
    const nodes = new Set(pods.map((p) => p.spec!.nodeName));
    assert.ok(nodes.size >= 3, `pods on ${[...nodes].join(',')}`);
    for (const p of pods) assert.ok(p.status?.podIP, `${p.metadata.name} has an IP`);
    const get = await c.ok(['-n', NS, 'get', 'deploy', 'web']);
    assert.match(get, /^web\s+5\/5\s+5\s+5\s+/m);
    const wide = await c.ok(['-n', NS, 'get', 'pods', '-o', 'wide', '-l', 'app=web']);
    assert.equal(wide.match(/\sRunning\s/g)?.length, 5, wide);
  });

  test('kubectl scale up and down', async () => {
    assert.match(await c.ok(['-n', NS, 'scale', 'deployment/web', '--replicas=8']), /deployment.apps\/web scaled/);
    await waitReadyPods(c.client, NS, 'app=web', 8);
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    await c.ok(['-n', NS, 'scale', 'deployment/web', '--replicas=3']);
    await waitReadyPods(c.client, NS, 'app=web', 3);
    // Scaling down leaves one ReplicaSet, scaled to 3, and no extra pods behind.
    await waitFor('pods gone and status at 3', async () => {
      const all = (await c.client.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items;
      const d = JSON.parse(await c.ok(['-n', NS, 'get', 'deploy', 'web', '-o', 'json']));
      return all.length === 3 && d.status.replicas === 3 && d.status.readyReplicas === 3;
    });
    const rss = (await c.client.replicaSets<ReplicaSet>(NS).list({ labelSelector: 'app=web' })).items;
    assert.equal(rss.length, 1);
    assert.equal(rss[0]!.spec!.replicas, 3);
    await c.ok(['-n', NS, 'scale', 'deployment/web', '--replicas=6']);
    await waitReadyPods(c.client, NS, 'app=web', 6);
  });

  test('kubectl set image rolls out within maxSurge and maxUnavailable (watched)', async () => {
    // 6 replicas, 25 %: maxSurge rounds up to 2, maxUnavailable rounds down to 1.
    const replicas = 6;
    const maxSurge = 2;
    const maxUnavailable = 1;
    let maxLive = 0;
    let minAvailable = Infinity;
    const violations: string[] = [];
    const watch = await watchPods(c.client, NS, 'app=web', (pods) => {
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      const available = live.filter(podReady).length;
      maxLive = Math.max(maxLive, live.length);
      minAvailable = Math.min(minAvailable, available);
      if (live.length > replicas + maxSurge) violations.push(`${live.length} live pods`);
      if (available < replicas - maxUnavailable) violations.push(`${available} available pods`);
    });
    try {
      assert.match(await c.ok(['-n', NS, 'set', 'image', 'deployment/web', 'app=nginx:1.27']), /deployment.apps\/web image updated/);
      const status = await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
      assert.match(status, /Waiting for deployment "web" rollout to finish/);
      assert.match(status, /deployment "web" successfully rolled out/);
      const pods = await waitReadyPods(c.client, NS, 'app=web', replicas);
      assert.deepEqual(imagesOf(pods), ['nginx:1.27']);
      await waitFor('old pods gone', async () => (await c.client.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items.length === replicas);
    } finally {
      const events = await watch.stop();
      assert.ok(events >= replicas * 3, `watch saw the rollout (${events} events)`);
    }
    assert.deepEqual(violations, []);
    // The rollout did use its room: it surged above the replica count.
    assert.ok(maxLive > replicas && maxLive <= replicas + maxSurge, `max live ${maxLive}`);
    assert.ok(minAvailable >= replicas - maxUnavailable, `min available ${minAvailable}`);
    const rss = (await c.client.replicaSets<ReplicaSet>(NS).list({ labelSelector: 'app=web' })).items;
    assert.equal(rss.length, 2);
    assert.deepEqual(rss.map((r) => r.spec!.replicas).sort(), [0, replicas]);
  });

  test('rollout history and undo', async () => {
    await c.ok(['-n', NS, 'set', 'image', 'deployment/web', 'app=nginx:1.28']);
    // As upstream, the Deployment's annotations are copied to its new ReplicaSet only (revision 3).
    await c.ok(['-n', NS, 'annotate', 'deployment/web', 'kubernetes.io/change-cause=move to 1.28']);
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const history = await c.ok(['-n', NS, 'rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
    assert.match(history, /^3\s+move to 1\.28$/m);
    assert.match(await c.ok(['-n', NS, 'rollout', 'history', 'deployment/web', '--revision=1']), /Image:\s+nginx:1\.26/);

    assert.match(await c.ok(['-n', NS, 'rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/);
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    let pods = await waitFor('pods back on 1.27', async () => {
      const p = await waitReadyPods(c.client, NS, 'app=web', 6);
      return imagesOf(p).join() === 'nginx:1.27' ? p : false;
    });
    assert.equal(pods.length, 6);
    // The rolled-back template is revision 4 now; revision 2 is gone from the list.
    const after1 = await c.ok(['-n', NS, 'rollout', 'history', 'deployment/web']);
    assert.match(after1, /^4\s/m);
    assert.doesNotMatch(after1, /^2\s/m);

    await c.ok(['-n', NS, 'rollout', 'undo', 'deployment/web', '--to-revision=1']);
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    pods = await waitFor('pods back on 1.26', async () => {
      const p = await waitReadyPods(c.client, NS, 'app=web', 6);
      return imagesOf(p).join() === 'nginx:1.26' ? p : false;
    });
    const d = JSON.parse(await c.ok(['-n', NS, 'get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '5');
  });

  test('rollout pause holds template changes until resume', async () => {
    assert.match(await c.ok(['-n', NS, 'rollout', 'pause', 'deployment/web']), /deployment.apps\/web paused/);
    const rsBefore = (await c.client.replicaSets<ReplicaSet>(NS).list({ labelSelector: 'app=web' })).items.length;
    await c.ok(['-n', NS, 'set', 'image', 'deployment/web', 'app=nginx:1.29']);
    await c.ok(['-n', NS, 'set', 'resources', 'deployment/web', '-c=app', '--requests=cpu=150m']);
    // Nothing may happen while paused: give the controllers time to (wrongly) act.
    await sleep(1500);
    assert.equal((await c.client.replicaSets<ReplicaSet>(NS).list({ labelSelector: 'app=web' })).items.length, rsBefore);
    assert.deepEqual(imagesOf(await livePods(c.client, NS, 'app=web')), ['nginx:1.26']);
    const d = JSON.parse(await c.ok(['-n', NS, 'get', 'deploy', 'web', '-o', 'json']));
    assert.ok(d.status.conditions.some((cond: { type: string; reason: string }) => cond.type === 'Progressing' && cond.reason === 'DeploymentPaused'));

    assert.match(await c.ok(['-n', NS, 'rollout', 'resume', 'deployment/web']), /deployment.apps\/web resumed/);
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = await waitFor('pods on 1.29 with both changes in one rollout', async () => {
      const p = await waitReadyPods(c.client, NS, 'app=web', 6);
      return imagesOf(p).join() === 'nginx:1.29' ? p : false;
    });
    assert.ok(pods.every((p) => p.spec!.containers[0]!.resources?.requests?.cpu === '150m'));
    // Two edits while paused make one new revision.
    const history = await c.ok(['-n', NS, 'rollout', 'history', 'deployment/web']);
    assert.match(history, /^6\s/m);
    assert.doesNotMatch(history, /^7\s/m);
  });

  test('a deleted pod is replaced', async () => {
    const before = await waitReadyPods(c.client, NS, 'app=web', 6);
    const victim = before[0]!.metadata.name!;
    assert.match(await c.ok(['-n', NS, 'delete', 'pod', victim]), new RegExp(`pod "${victim}" deleted`));
    const after2 = await waitFor('replacement pod ready', async () => {
      const pods = await waitReadyPods(c.client, NS, 'app=web', 6);
      return pods.some((p) => p.metadata.name === victim) ? false : pods;
    });
    const fresh = after2.filter((p) => !before.some((b) => b.metadata.name === p.metadata.name));
    assert.equal(fresh.length, 1);
    assert.equal(fresh[0]!.metadata.ownerReferences?.[0]?.kind, 'ReplicaSet');
  });

  test('deleting a Deployment deletes its ReplicaSets and pods', async () => {
    await c.ok(['apply', '-f', '-'], { input: deployment('other', 2, 'busybox:1.36') });
    await waitReadyPods(c.client, NS, 'app=other', 2);
    assert.ok((await c.client.replicaSets<ReplicaSet>(NS).list({ labelSelector: 'app=web' })).items.length >= 2);
    assert.match(await c.ok(['-n', NS, 'delete', 'deployment', 'web']), /deployment.apps "web" deleted/);
    await waitFor('ReplicaSets and pods of web gone', async () => {
      const rss = await c.client.replicaSets(NS).list({ labelSelector: 'app=web' });
      const pods = await c.client.pods(NS).list({ labelSelector: 'app=web' });
      return rss.items.length === 0 && pods.items.length === 0;
    });
    assert.match(await c.ok(['-n', NS, 'get', 'rs,pods', '-l', 'app=web']), /^$/);
    // Foreground deletion: kubectl waits for the dependents, then the Deployment goes.
    await c.ok(['-n', NS, 'delete', 'deployment', 'other', '--cascade=foreground', '--wait=true', '--timeout=60s']);
    assert.equal((await c.client.replicaSets(NS).list({ labelSelector: 'app=other' })).items.length, 0);
    assert.equal((await c.client.pods(NS).list({ labelSelector: 'app=other' })).items.length, 0);
  });
});
