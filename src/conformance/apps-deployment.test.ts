/**
 * Upstream's [sig-apps] Deployment conformance tests (test/e2e/apps/deployment.go), against a whole
 * control plane with simulated nodes (apps-cluster.ts): RollingUpdate and Recreate rollouts, the
 * revision history limit, rollover, the scale subresource, proportional scaling, the lifecycle and
 * the status subresource. Upstream's unready pods come from a nonexistent image; here the simulated
 * nodes cannot pull that image either (unpullableImages), so those pods stay Pending as upstream's.
 * The tests run concurrently, each in its own namespace, as the e2e suite's parallel nodes do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, Pod, ReplicaSet } from '../api/kinds/index.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile, waitPodsRunning } from './testing/apps-cluster.js';
import {
  AGNHOST, isComplete, newDeployment, newReplicaSet, newRS, oldReplicaSets, REVISION, WAIT, waitForComplete, waitForRevisionAndImage, watchUntil, WEBSERVER,
} from './testing/deployment-waits.js';
import { walkStatusEndpoints } from './testing/status-walk.js';
import { WatchReader } from './testing/watch-reader.js';

const ROLLOVER_IMAGE = 'gcr.io/google_samples/gb-redisslave:nonexistent';
const cluster = appsClusterForFile('cf-deploy', { count: 2, unpullableImages: [ROLLOVER_IMAGE, 'webserver:404'] });
const deployments = (ns: string) => cluster.client.deployments<Deployment>(ns);
const replicaSets = (ns: string) => cluster.client.replicaSets<ReplicaSet>(ns);

/** e2edeployment.UpdateDeploymentWithRetries: get, change, update, again on a conflict. */
async function updateDeployment(ns: string, name: string, change: (d: Deployment) => void): Promise<Deployment> {
  return eventually(async () => {
    const d = await deployments(ns).get(name);
    change(d);
    return deployments(ns).update(d);
  }, `update of deployment ${name}`, { ...WAIT, retryErrors: true });
}

const observed = (ns: string, name: string, generation: number) =>
  eventually(async () => ((await deployments(ns).get(name)).status?.observedGeneration ?? 0) >= generation, `deployment ${name} generation ${generation} observed`, WAIT);

describe('[sig-apps] Deployment', { concurrency: true }, () => {
  it('[sig-apps] Deployment RollingUpdateDeployment should delete old pods and create new ones [Conformance]', async () => {
    const ns = await cluster.namespace();
    const rs = newRS('test-rolling-update-controller', 1, { name: 'sample-pod', pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image);
    rs.metadata.annotations = { [REVISION]: '3546343826724305832' };
    await replicaSets(ns).create(rs);
    await waitPodsRunning(cluster.client, ns, 'sample-pod', 1);
    await deployments(ns).create(newDeployment('test-rolling-update-deployment', 1, { name: 'sample-pod' }, AGNHOST.name, AGNHOST.image, 'RollingUpdate'));
    // The next revision from the one the adopted ReplicaSet has.
    await waitForRevisionAndImage(cluster.client, ns, 'test-rolling-update-deployment', '3546343826724305833', AGNHOST.image);
    const d = await waitForComplete(cluster.client, ns, 'test-rolling-update-deployment');
    const old = await oldReplicaSets(cluster.client, d);
    assert.equal(old.length, 1, 'one old ReplicaSet: the one it adopted');
    assert.equal(old[0]!.metadata.name, 'test-rolling-update-controller');
  });

  it('[sig-apps] Deployment RecreateDeployment should delete old pods and create new ones [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'test-recreate-deployment';
    await deployments(ns).create(newDeployment(name, 1, { name: 'sample-pod-3' }, AGNHOST.name, AGNHOST.image, 'Recreate'));
    await waitForRevisionAndImage(cluster.client, ns, name, '1', AGNHOST.image);
    await waitForComplete(cluster.client, ns, name);
    const d = await updateDeployment(ns, name, (u) => {
      u.spec!.template.spec!.containers[0]!.name = WEBSERVER.name;
      u.spec!.template.spec!.containers[0]!.image = WEBSERVER.image;
    });
    // watchRecreateDeployment: no new pod runs alongside an old one, until the rollout is done.
    await watchUntil(deployments(ns), { resourceVersion: d.metadata.resourceVersion, fieldSelector: `metadata.name=${name}` }, (ev) => {
      const s = (ev.object as Deployment).status ?? {};
      if ((s.updatedReplicas ?? 0) > 0 && s.replicas !== s.updatedReplicas) throw new Error(`deployment ${name} is running new pods alongside old pods: ${JSON.stringify(s)}`);
      const o = ev.object as Deployment;
      return o.spec?.replicas === s.replicas && s.updatedReplicas === o.spec?.replicas && (o.metadata.generation ?? 0) <= (s.observedGeneration ?? 0);
    }, 'the Recreate rollout to finish');
  });

  it('[sig-apps] Deployment deployment should delete old replica sets [Conformance]', async () => {
    const ns = await cluster.namespace();
    await replicaSets(ns).create(newRS('test-cleanup-controller', 1, { name: 'cleanup-pod', pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, 'cleanup-pod', 1);
    const pods = await cluster.client.pods<Pod>(ns).list();
    // Only one pod is created, the agnhost one: the old ReplicaSet makes none when the controller
    // adds the pod-template-hash label to its selector.
    const w = new WatchReader<Pod>(await cluster.client.pods<Pod>(ns).watch({ resourceVersion: pods.metadata.resourceVersion }), WAIT.timeoutMs);
    const added: Pod[] = [];
    const watching = (async () => {
      for (;;) {
        const ev = await w.next('pod events').catch(() => undefined);
        if (!ev) return;
        if (ev.type === 'ADDED') added.push(ev.object);
      }
    })();
    try {
      const d = newDeployment('test-cleanup-deployment', 1, { name: 'cleanup-pod' }, AGNHOST.name, AGNHOST.image, 'RollingUpdate');
      d.spec!.revisionHistoryLimit = 0;
      await deployments(ns).create(d);
      // waitForDeploymentOldRSsNum(0)
      await eventually(async () => {
        const cur = await deployments(ns).get('test-cleanup-deployment');
        return (cur.status?.observedGeneration ?? 0) >= (cur.metadata.generation ?? 0) && (await oldReplicaSets(cluster.client, cur)).length === 0 && isComplete(cur);
      }, 'the old ReplicaSet cleaned up', WAIT);
    } finally {
      w.stop();
      await watching;
    }
    assert.equal(added.length, 1, `one pod creation, saw ${added.map((p) => p.metadata.name).join(', ')}`);
    assert.equal(added[0]!.spec?.containers[0]?.name, AGNHOST.name);
  });

  it('[sig-apps] Deployment deployment should support rollover [Conformance]', async () => {
    const ns = await cluster.namespace();
    const podName = 'rollover-pod';
    const rsName = 'test-rollover-controller';
    await replicaSets(ns).create(newRS(rsName, 1, { name: podName, pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, podName, 1);
    await eventually(async () => (await replicaSets(ns).get(rsName)).status?.readyReplicas === 1, 'the replica set ready', WAIT);
    // A nonexistent image, so that the rollout cannot finish.
    const name = 'test-rollover-deployment';
    const nd = newDeployment(name, 1, { name: podName }, 'redis-slave', ROLLOVER_IMAGE, 'RollingUpdate');
    nd.spec!.strategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 1 };
    nd.spec!.minReadySeconds = 10;
    const created = await deployments(ns).create(nd);
    // waitForDeploymentUpdatedReplicasGTE(1), then checkDeploymentRevisionAndImage("1").
    const d = await eventually(async () => {
      const cur = await deployments(ns).get(name);
      return (cur.status?.updatedReplicas ?? 0) >= 1 && (cur.status?.observedGeneration ?? 0) >= (created.metadata.generation ?? 0) && cur;
    }, 'updated replicas >= 1', WAIT);
    const firstNew = await newReplicaSet(cluster.client, d);
    assert.equal(d.metadata.annotations?.[REVISION], '1');
    assert.equal(firstNew?.metadata.annotations?.[REVISION], '1');
    assert.equal(firstNew?.spec?.template?.spec?.containers[0]?.image, ROLLOVER_IMAGE);
    // Both replica sets have 1 created replica.
    const ensureReplicas = (rs: ReplicaSet, n: number) => {
      assert.equal(rs.spec?.replicas, n, `${rs.metadata.name} spec.replicas`);
      assert.equal(rs.status?.replicas, n, `${rs.metadata.name} status.replicas`);
    };
    ensureReplicas(await replicaSets(ns).get(rsName), 1);
    ensureReplicas(await eventually(async () => {
      const rs = await replicaSets(ns).get(firstNew!.metadata.name!);
      return rs.status?.replicas === 1 && rs;
    }, 'the new replica set to have created its pod', WAIT), 1);
    // The deployment is stuck: roll it over to agnhost.
    const updated = await updateDeployment(ns, name, (u) => {
      u.spec!.template.spec!.containers[0]!.name = AGNHOST.name;
      u.spec!.template.spec!.containers[0]!.image = AGNHOST.image;
    });
    await observed(ns, name, updated.metadata.generation ?? 0);
    await waitForRevisionAndImage(cluster.client, ns, name, '2', AGNHOST.image);
    await waitForComplete(cluster.client, ns, name, true);
    ensureReplicas(await replicaSets(ns).get(rsName), 0);
    ensureReplicas(await replicaSets(ns).get(firstNew!.metadata.name!), 0);
  });

  it('[sig-apps] Deployment Deployment should have a working scale subresource [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'test-new-deployment';
    await deployments(ns).create(newDeployment(name, 1, { name: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image, 'RollingUpdate'));
    await waitForRevisionAndImage(cluster.client, ns, name, '1', WEBSERVER.image);
    await waitForComplete(cluster.client, ns, name);
    const scale = await deployments(ns).getScale(name);
    assert.equal(scale.spec?.replicas, 1, 'scale.spec.replicas');
    assert.equal(scale.status?.replicas, 1, 'scale.status.replicas');
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/${name}/scale`;
    const put = await cluster.client.raw<typeof scale>('PUT', path, { ...scale, spec: { replicas: 2 } });
    assert.equal(put.spec?.replicas, 2);
    assert.equal((await deployments(ns).get(name)).spec?.replicas, 2);
    await cluster.client.raw('PATCH', path, { spec: { replicas: 4 } }, { contentType: 'application/merge-patch+json' });
    assert.equal((await deployments(ns).get(name)).spec?.replicas, 4, 'the patched scale');
  });

  it('[sig-apps] Deployment deployment should support proportional scaling [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'webserver-deployment';
    const replicas = 10;
    const spec = newDeployment(name, replicas, { name: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image, 'RollingUpdate');
    spec.spec!.strategy!.rollingUpdate = { maxSurge: 3, maxUnavailable: 2 };
    const created = await deployments(ns).create(spec);
    await observed(ns, name, created.metadata.generation ?? 0);
    await waitPodsRunning(cluster.client, ns, WEBSERVER.name, replicas);
    const complete = await waitForComplete(cluster.client, ns, name);
    const firstRS = (await newReplicaSet(cluster.client, complete))!;
    // A non-existent image blocks the new ReplicaSet: a partial rollout.
    const d = await updateDeployment(ns, name, (u) => {
      u.spec!.template.spec!.containers[0]!.image = 'webserver:404';
    });
    await observed(ns, name, d.metadata.generation ?? 0);
    const rsReplicas = (rsName: string, field: 'spec' | 'available', n: number) => eventually(async () => {
      const rs = await replicaSets(ns).get(rsName);
      return (field === 'spec' ? rs.spec?.replicas : rs.status?.availableReplicas) === n && rs;
    }, `replica set ${rsName} ${field} replicas ${n}`, WAIT);
    /** waitForReplicaSetDesiredReplicas: the controller created what it wants, and saw the latest spec. */
    const desired = (rsName: string) => eventually(async () => {
      const rs = await replicaSets(ns).get(rsName);
      return rs.status?.replicas === rs.spec?.replicas && (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0) && rs;
    }, `replica set ${rsName} at its desired replicas`, WAIT);
    // First rollout's ReplicaSet: replicas - maxUnavailable = 8 available, and spec.replicas 8.
    await rsReplicas(firstRS.metadata.name!, 'available', 8);
    await rsReplicas(firstRS.metadata.name!, 'spec', 8);
    await desired(firstRS.metadata.name!);
    const secondRS = (await newReplicaSet(cluster.client, await deployments(ns).get(name)))!;
    assert.ok(secondRS, 'the second rollout has a ReplicaSet');
    assert.equal(secondRS.status?.availableReplicas ?? 0, 0, 'none of the second rollout is available');
    // replicas + maxSurge - first RS's replicas = 10 + 3 - 8 = 5.
    await rsReplicas(secondRS.metadata.name!, 'spec', 5);
    await desired(secondRS.metadata.name!);
    const mid = await deployments(ns).get(name);
    assert.ok((mid.status?.availableReplicas ?? 0) >= 8, `available ${mid.status?.availableReplicas} not below the minimum 8`);
    // Scale to 30: first 8 + (30-10)*(8/13) = 20, second 5 + (30-10)*(5/13) = 13.
    await updateDeployment(ns, name, (u) => {
      u.spec!.replicas = 30;
    });
    await rsReplicas(firstRS.metadata.name!, 'spec', 20);
    await rsReplicas(secondRS.metadata.name!, 'spec', 13);
  });

  it('[sig-apps] Deployment should run the lifecycle of a Deployment [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'test-deployment';
    const flat = 'test-deployment-static=true';
    const list = await cluster.client.deployments<Deployment>().list({ labelSelector: flat });
    const until = (done: (d: Deployment, type: string) => boolean, what: string) =>
      watchUntil(deployments(ns), { resourceVersion: list.metadata.resourceVersion, labelSelector: flat }, (ev) => done(ev.object as Deployment, ev.type), what);
    const mine = (d: Deployment) => d.metadata.name === name && d.metadata.labels?.['test-deployment-static'] === 'true';
    const d = newDeployment(name, 2, { 'test-deployment-static': 'true' }, name, AGNHOST.image, 'RollingUpdate');
    d.spec!.template.spec!.terminationGracePeriodSeconds = 1;
    await deployments(ns).create(d);
    await until((o, t) => t === 'ADDED' && mine(o), 'the Deployment ADDED');
    await until((o) => mine(o) && o.status?.readyReplicas === 2, 'all replicas Ready');

    await deployments(ns).patch(name, 'strategic', {
      metadata: { labels: { 'test-deployment': 'patched' } },
      spec: { replicas: 1, template: { spec: { terminationGracePeriodSeconds: 2, containers: [{ name, image: 'registry.k8s.io/pause:3.10' }] } } },
    });
    await until((o, t) => t === 'MODIFIED' && mine(o), 'the patched Deployment MODIFIED');
    await until((o) => mine(o) && o.status?.readyReplicas === 1 && o.status.updatedReplicas === 1 && (o.status.unavailableReplicas ?? 0) === 0
      && o.spec?.template.spec?.containers[0]?.image === 'registry.k8s.io/pause:3.10' && o.spec.template.spec.terminationGracePeriodSeconds === 2, 'replicas to scale to 1 with the patched image');
    const listed = await cluster.client.deployments<Deployment>().list({ labelSelector: flat });
    assert.ok(listed.items.some((i) => i.metadata.name === name && i.metadata.namespace === ns && i.metadata.labels?.['test-deployment-static'] === 'true'), 'listed in all namespaces');

    // Update (through the main resource) to httpd and 2 replicas.
    const cur = await deployments(ns).get(name);
    cur.metadata.labels = { ...cur.metadata.labels, 'test-deployment': 'updated' };
    cur.spec!.template.spec!.containers[0]!.image = WEBSERVER.image;
    cur.spec!.replicas = 2;
    await deployments(ns).update(cur);
    await until((o, t) => t === 'MODIFIED' && mine(o), 'the updated Deployment MODIFIED');
    const statusPath = `/apis/apps/v1/namespaces/${ns}/deployments/${name}/status`;
    const got = await cluster.client.raw<Deployment>('GET', statusPath);
    assert.equal(got.spec?.template.spec?.containers[0]?.image, WEBSERVER.image, 'failed to update image');
    assert.equal(got.metadata.labels?.['test-deployment'], 'updated', 'failed to update labels');
    await until((o) => mine(o) && o.status?.readyReplicas === 2 && o.status.updatedReplicas === 2 && (o.status.unavailableReplicas ?? 0) === 0, 'replicas to scale to 2');

    await cluster.client.raw('PATCH', statusPath, { metadata: { labels: { 'test-deployment': 'patched-status' } }, status: { readyReplicas: 0, availableReplicas: 0 } }, { contentType: 'application/strategic-merge-patch+json' });
    await until((o, t) => t === 'MODIFIED' && mine(o), 'the status patch MODIFIED');
    const afterPatch = await cluster.client.raw<Deployment>('GET', statusPath);
    assert.equal(afterPatch.spec?.template.spec?.containers[0]?.image, WEBSERVER.image);
    // A status patch changes no labels (the status strategy keeps metadata but for a few fields).
    assert.equal(afterPatch.metadata.labels?.['test-deployment'], 'updated', 'labels unchanged by a status patch');
    await until((o) => mine(o) && o.status?.readyReplicas === 2 && o.status.updatedReplicas === 2 && (o.status.unavailableReplicas ?? 0) === 0
      && o.spec?.template.spec?.containers[0]?.image === WEBSERVER.image, 'the controller to restore the status');

    await deployments(ns).deleteCollection({ labelSelector: flat }, { gracePeriodSeconds: 1 });
    await until((o, t) => t === 'DELETED' && mine(o), 'the Deployment DELETED');
  });

  it('[sig-apps] Deployment should validate Deployment Status endpoints [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = `test-deployment-${Math.random().toString(36).slice(2, 7)}`;
    const selector = 'e2e=testing';
    const list = await cluster.client.deployments<Deployment>().list({ labelSelector: selector });
    await deployments(ns).create(newDeployment(name, 1, { name: WEBSERVER.name, e2e: 'testing' }, WEBSERVER.name, WEBSERVER.image, 'RollingUpdate'));
    await waitForRevisionAndImage(cluster.client, ns, name, '1', WEBSERVER.image);
    await waitForComplete(cluster.client, ns, name);
    await walkStatusEndpoints(cluster.client, deployments(ns), `/apis/apps/v1/namespaces/${ns}/deployments/${name}/status`, name, { labelSelector: selector, resourceVersion: list.metadata.resourceVersion });
  });
});
