/**
 * Upstream's [sig-apps] ReplicaSet and ReplicationController conformance tests
 * (test/e2e/apps/replica_set.go, rc.go) against a whole control plane with simulated nodes
 * (apps-cluster.ts): adoption and release, the scale subresource, replace and patch, list and
 * deletecollection, the status subresource, the exceeded-quota failure condition and the RC
 * lifecycle. "should serve a basic image on each replica" dials the pods, which needs real
 * containers: test/e2e/conformance-node-apps-auth-cli.ts runs it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, ReplicaSet, ReplicationController } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { ResourceClient } from '../client/resource-client.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile, livePods, podRunningReady, waitPodsRunning } from './testing/apps-cluster.js';
import { newRS, readUntil, WAIT, watchUntil, WEBSERVER } from './testing/deployment-waits.js';
import { walkStatusEndpoints } from './testing/status-walk.js';
import { WatchReader } from './testing/watch-reader.js';

const cluster = appsClusterForFile('cf-rs');
const replicaSets = (ns: string) => cluster.client.replicaSets<ReplicaSet>(ns);
const rcs = (ns: string) => cluster.client.resource<ReplicationController>(resources.replicationcontrollers, ns);
const PAUSE = 'registry.k8s.io/pause:3.10';
const retrying = { ...WAIT, retryErrors: true };

/** rc.go's newRC. */
function newRC(name: string, replicas: number, podLabels: Record<string, string>, imageName: string, image: string): ReplicationController {
  return {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name },
    spec: { replicas, template: { metadata: { labels: podLabels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: imageName, image }] } } },
  } as ReplicationController;
}

const controlledBy = (p: Pod, uid: string | undefined) => !!p.metadata.ownerReferences?.some((o) => o.controller && o.uid === uid);

/** e2epod.NewPodClient(f).CreateSync: an ownerless pod, Running and Ready. */
async function orphanPod(ns: string, name: string): Promise<Pod> {
  await cluster.client.pods<Pod>(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { name } }, spec: { containers: [{ name, image: WEBSERVER.image }] } } as Pod);
  return eventually(async () => {
    const p = await cluster.client.pods<Pod>(ns).get(name);
    return podRunningReady(p) && p;
  }, `pod ${name} running`, WAIT);
}

/** Adopted (or deleted and replaced), as the tests accept either. */
const adopted = (ns: string, name: string, uid: string | undefined) => eventually(async () => {
  const p = await cluster.client.pods<Pod>(ns).get(name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  return !p || controlledBy(p, uid);
}, `pod ${name} adopted`, WAIT);

/** Relabel one of the controller's pods out of its selector; it must be released. */
async function releaseOne(ns: string, ownerName: string, uid: string | undefined): Promise<void> {
  const pods = await eventually(async () => {
    const ps = (await livePods(cluster.client, ns, `name=${ownerName}`)).filter((p) => controlledBy(p, uid));
    return ps.length === 1 && ps;
  }, 'the controller\'s pod', WAIT);
  const name = pods[0]!.metadata.name!;
  await eventually(async () => {
    const pod = await cluster.client.pods<Pod>(ns).get(name);
    pod.metadata.labels = { name: 'not-matching-name' };
    return cluster.client.pods<Pod>(ns).update(pod);
  }, 'the relabel', retrying);
  await eventually(async () => !controlledBy(await cluster.client.pods<Pod>(ns).get(name), uid), `pod ${name} released`, WAIT);
}

/** The scale subresource: get (1), put 2 unconditionally, then a patch to 4. */
async function scaleSubresource(rc: ResourceClient<KubeObject>, path: string, name: string, patchType: string): Promise<void> {
  // Upstream reads the scale once its pods run: on a real node that is seconds after the controller
  // counted them in status.replicas. A simulated node runs a pod within milliseconds, which can be
  // before the controller's next status write (CI: status.replicas 0), so wait for the count first.
  await eventually(async () => (await rc.get(name) as { status?: { replicas?: number } }).status?.replicas === 1, `${name} status.replicas 1`, WAIT);
  const scale = await rc.getScale(name);
  assert.equal(scale.spec?.replicas, 1);
  assert.equal(scale.status?.replicas, 1);
  const put = await cluster.client.raw<typeof scale>('PUT', path, { ...scale, metadata: { ...scale.metadata, resourceVersion: '' }, spec: { replicas: 2 } });
  assert.equal(put.spec?.replicas, 2);
  assert.equal((await rc.get(name) as { spec?: { replicas?: number } }).spec?.replicas, 2);
  await cluster.client.raw('PATCH', path, { spec: { replicas: 4 } }, { contentType: patchType });
  assert.equal((await rc.get(name) as { spec?: { replicas?: number } }).spec?.replicas, 4, 'should have 4 replicas');
}

/** testReplicaSetConditionCheck / testReplicationControllerConditionCheck. */
async function quotaCondition(rc: ResourceClient<ReplicaSet | ReplicationController>, ns: string, obj: ReplicaSet | ReplicationController): Promise<void> {
  const name = 'condition-test';
  await cluster.client.resource(resources.resourcequotas, ns).create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard: { pods: '2' } } });
  await eventually(async () => ((await cluster.client.resource(resources.resourcequotas, ns).get(name)).status as { hard?: { pods?: string } } | undefined)?.hard?.pods === '2', 'the quota synced', WAIT);
  const created = await rc.create(obj);
  const failure = (o: ReplicaSet | ReplicationController) => (o.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure');
  const generationSeen = async (generation: number | undefined, want: boolean) => eventually(async () => {
    const cur = await rc.get(name);
    return (cur.status?.observedGeneration ?? 0) >= (generation ?? 0) && !!failure(cur) === want;
  }, want ? 'the ReplicaFailure condition' : 'no ReplicaFailure condition', WAIT);
  await generationSeen(created.metadata.generation, true);
  const scaled = await eventually(async () => {
    const cur = await rc.get(name);
    cur.spec!.replicas = 2;
    return rc.update(cur);
  }, 'the scale down', retrying);
  await generationSeen(scaled.metadata.generation, false);
}

describe('[sig-apps] ReplicaSet', { concurrency: true }, () => {
  it('[sig-apps] ReplicaSet should adopt matching pods on creation and release no longer matching pods [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'pod-adoption-release';
    await orphanPod(ns, name);
    const rs = await replicaSets(ns).create(newRS(name, 1, { name }, name, WEBSERVER.image));
    await adopted(ns, name, rs.metadata.uid);
    await releaseOne(ns, name, rs.metadata.uid);
  });

  it('[sig-apps] ReplicaSet Replicaset should have a working scale subresource [Conformance]', async () => {
    const ns = await cluster.namespace();
    await replicaSets(ns).create(newRS('test-rs', 1, { name: 'sample-pod', pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, 'sample-pod', 1);
    await scaleSubresource(replicaSets(ns) as unknown as ResourceClient<KubeObject>, `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs/scale`, 'test-rs', 'application/strategic-merge-patch+json');
  });

  it('[sig-apps] ReplicaSet Replace and Patch tests [Conformance]', async () => {
    const ns = await cluster.namespace();
    const list = await cluster.client.replicaSets<ReplicaSet>().list({ labelSelector: 'test-rs=patched' });
    await replicaSets(ns).create(newRS('test-rs', 1, { name: 'sample-pod', pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, 'sample-pod', 1);
    await eventually(async () => {
      const cur = await replicaSets(ns).get('test-rs');
      cur.spec!.replicas = 2;
      return replicaSets(ns).update(cur);
    }, 'the scale up', retrying);
    await replicaSets(ns).patch('test-rs', 'strategic', {
      metadata: { labels: { 'test-rs': 'patched' } },
      spec: { replicas: 3, template: { spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'test-rs', image: PAUSE }] } } },
    });
    await watchUntil(replicaSets(ns), { resourceVersion: list.metadata.resourceVersion, labelSelector: 'test-rs=patched' }, (ev) => {
      const r = ev.object;
      return r.metadata.name === 'test-rs' && r.metadata.labels?.['test-rs'] === 'patched' && r.status?.readyReplicas === 3 && r.status.availableReplicas === 3
        && r.spec?.template?.spec?.containers[0]?.image === PAUSE && r.spec.template.spec.terminationGracePeriodSeconds === 0;
    }, 'the patched ReplicaSet with 3 ready replicas');
  });

  it('[sig-apps] ReplicaSet should list and delete a collection of ReplicaSets [Conformance]', async () => {
    const ns = await cluster.namespace();
    const e2e = Math.random().toString(36).slice(2, 7);
    await replicaSets(ns).create(newRS('test-rs', 3, { name: 'sample-pod', pod: WEBSERVER.name, e2e }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, 'sample-pod', 3);
    assert.equal((await cluster.client.replicaSets().list({ labelSelector: `e2e=${e2e}` })).items.length, 1, 'filtered list');
    await replicaSets(ns).deleteCollection({ labelSelector: `e2e=${e2e}` }, { gracePeriodSeconds: 1 });
    assert.equal((await cluster.client.replicaSets().list({ labelSelector: `e2e=${e2e}` })).items.length, 0, 'none left');
  });

  it('[sig-apps] ReplicaSet should validate Replicaset Status endpoints [Conformance]', async () => {
    const ns = await cluster.namespace();
    const selector = `name=sample-pod,pod=${WEBSERVER.name}`;
    const list = await cluster.client.replicaSets().list({ labelSelector: selector });
    await replicaSets(ns).create(newRS('test-rs', 1, { name: 'sample-pod', pod: WEBSERVER.name }, WEBSERVER.name, WEBSERVER.image));
    await waitPodsRunning(cluster.client, ns, 'sample-pod', 1);
    await walkStatusEndpoints(cluster.client, replicaSets(ns), `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs/status`, 'test-rs', { labelSelector: selector, resourceVersion: list.metadata.resourceVersion });
  });

  // Not a conformance test upstream, but the RC one's steps on a ReplicaSet (testReplicaSetConditionCheck).
  it('[sig-apps] ReplicaSet should surface a failure condition on a common issue like exceeded quota', async () => {
    const ns = await cluster.namespace();
    await quotaCondition(replicaSets(ns) as ResourceClient<ReplicaSet | ReplicationController>, ns, newRS('condition-test', 3, { name: 'condition-test' }, WEBSERVER.name, WEBSERVER.image));
  });
});

describe('[sig-apps] ReplicationController', { concurrency: true }, () => {
  it('[sig-apps] ReplicationController should surface a failure condition on a common issue like exceeded quota [Conformance]', async () => {
    const ns = await cluster.namespace();
    await quotaCondition(rcs(ns) as ResourceClient<ReplicaSet | ReplicationController>, ns, newRC('condition-test', 3, { name: 'condition-test' }, WEBSERVER.name, WEBSERVER.image));
  });

  it('[sig-apps] ReplicationController should adopt matching pods on creation [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'pod-adoption';
    await orphanPod(ns, name);
    const rc = newRC(name, 1, { name }, name, WEBSERVER.image);
    rc.spec!.selector = { name };
    const created = await rcs(ns).create(rc);
    await adopted(ns, name, created.metadata.uid);
  });

  it('[sig-apps] ReplicationController should release no longer matching pods [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'pod-release';
    const rc = newRC(name, 1, { name }, name, WEBSERVER.image);
    rc.spec!.selector = { name };
    const created = await rcs(ns).create(rc);
    await releaseOne(ns, name, created.metadata.uid);
  });

  it('[sig-apps] ReplicationController should test the lifecycle of a ReplicationController [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = 'rc-test';
    const list = await rcs(ns).list({ labelSelector: 'test-rc-static=true' });
    const r = new WatchReader<ReplicationController>(await rcs(ns).watch({ labelSelector: 'test-rc-static=true', resourceVersion: list.metadata.resourceVersion }), WAIT.timeoutMs);
    // WatchEventSequenceVerifier: the events each step waits for, in order.
    const seen: string[] = [];
    const step = async (type: string, what: string) => seen.push((await readUntil(r, (ev) => ev.type === type, what)).type);
    const statusIs = (replicas: number, ready?: number) => (ev: { object: ReplicationController }) =>
      ev.object.status?.replicas === replicas && (ready === undefined || ev.object.status.readyReplicas === ready);
    try {
      await rcs(ns).create({
        apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, labels: { 'test-rc-static': 'true' } },
        spec: { replicas: 1, selector: { 'test-rc-static': 'true' }, template: { metadata: { name, labels: { 'test-rc-static': 'true' } }, spec: { containers: [{ name, image: 'registry.k8s.io/nginx:1.27' }] } } },
      } as ReplicationController);
      await step('ADDED', 'the RC added');
      await readUntil(r, statusIs(1, 1), 'available replicas');
      const patched = await rcs(ns).patch(name, 'strategic', { metadata: { labels: { 'test-rc': 'patched' } } });
      assert.equal(patched.metadata.labels?.['test-rc'], 'patched');
      await step('MODIFIED', 'the RC modified by the label patch');
      const status = await rcs(ns).patch(name, 'strategic', { status: { readyReplicas: 0, availableReplicas: 0 } }, { subresource: 'status' });
      assert.equal(status.status?.readyReplicas ?? 0, 0, 'readyReplicas patched to 0');
      await step('MODIFIED', 'the RC modified by the status patch');
      await readUntil(r, statusIs(1), 'replicas 1');
      const st = await cluster.client.raw<ReplicationController>('GET', `/api/v1/namespaces/${ns}/replicationcontrollers/${name}/status`);
      assert.equal(st.status?.replicas, 1);
      await cluster.client.raw('PATCH', `/api/v1/namespaces/${ns}/replicationcontrollers/${name}/scale`, { spec: { replicas: 2 } }, { contentType: 'application/strategic-merge-patch+json' });
      await step('MODIFIED', 'the RC modified by the scale patch');
      await readUntil(r, (ev) => ev.object.metadata.name === name && ev.object.metadata.namespace === ns && statusIs(2, 2)(ev), 'the scale to be the max amount');
      const rc = await rcs(ns).get(name);
      assert.equal(rc.metadata.labels?.['test-rc'], 'patched', 'the label of the earlier patch');
      rc.status = { ...rc.status!, availableReplicas: 1, readyReplicas: 1 };
      await rcs(ns).updateStatus(rc);
      await step('MODIFIED', 'the RC modified by the status update');
      const all = await cluster.client.resource<ReplicationController>(resources.replicationcontrollers).list({ labelSelector: 'test-rc-static=true' });
      assert.ok(all.items.some((i) => i.metadata.name === name && i.metadata.namespace === ns && i.metadata.labels?.['test-rc-static'] === 'true' && i.metadata.labels['test-rc'] === 'patched'), 'listed with the expected values');
      await rcs(ns).deleteCollection({ labelSelector: 'test-rc-static=true' });
      await step('DELETED', 'the RC deleted');
    } finally {
      r.stop();
    }
    assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  });

  it('[sig-apps] ReplicationController should get and update a ReplicationController scale [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = `e2e-rc-${Math.random().toString(36).slice(2, 7)}`;
    await rcs(ns).create(newRC(name, 1, { name }, WEBSERVER.name, WEBSERVER.image));
    const replicasAre = (n: number) => eventually(async () => (await rcs(ns).get(name)).status?.replicas === n, `rc ${name} status.replicas ${n}`, WAIT);
    await replicasAre(1);
    const scale = await rcs(ns).getScale(name);
    assert.equal(scale.status?.replicas, 1, 'the current replica count');
    await cluster.client.raw('PUT', `/api/v1/namespaces/${ns}/replicationcontrollers/${name}/scale`, { ...scale, metadata: { ...scale.metadata, resourceVersion: '' }, spec: { replicas: 2 } });
    await replicasAre(2);
  });
});
