/**
 * Upstream's [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] conformance
 * tests (test/e2e/apps/statefulset.go) against a whole control plane with simulated nodes
 * (apps-cluster.ts): rolling updates and roll backs, canary and phased updates by partition, ordered
 * scaling halting on an unhealthy pod, burst (Parallel) scaling, the scale subresource, list, patch
 * and deletecollection, and the status subresource. Upstream makes a pod unhealthy by breaking its
 * HTTP readiness probe inside the container; here the simulated node reports it unready
 * (statefulset-waits.ts). "Should never happen" checks that upstream holds for 10 s
 * (ConfirmStatefulPodCount) are made once the controller has observed the change that must not
 * create or delete pods (status.observedGeneration), with no timed wait.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, StatefulSet } from '../api/kinds/index.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile } from './testing/apps-cluster.js';
import { readUntil, WAIT, WEBSERVER } from './testing/deployment-waits.js';
import {
  checkPartitioned, confirmStatefulPodCount, createHeadlessService, NEW_WEBSERVER, newStatefulSet, podList, REVISION_LABEL, setAllProbes, setProbe, SS_LABELS, statefulSets, updateStatefulSet,
  waitForPartitionedRollingUpdate, waitForPodReady, waitForPodCount, waitForRollingUpdate, waitForRunning, waitForStatus, waitForStatusReplicas,
} from './testing/statefulset-waits.js';
import { walkStatusEndpoints } from './testing/status-walk.js';
import { WatchReader } from './testing/watch-reader.js';

const cluster = appsClusterForFile('cf-ss');
const SS = 'ss';

/** The e2e framework's namespace, with the BeforeEach's headless Service. */
async function namespace(): Promise<string> {
  const ns = await cluster.namespace();
  await createHeadlessService(cluster.client, ns);
  return ns;
}

const create = (ns: string, ss: StatefulSet) => statefulSets(cluster.client, ns).create(ss);

const confirmPodCount = (ss: StatefulSet, count: number) => confirmStatefulPodCount(cluster.client, ss, count);
const podCount = (ss: StatefulSet, count: number) => waitForPodCount(cluster.client, ss, count);

/** watchtools.Until on one pod by name from `resourceVersion`. */
async function watchUntilPod(ns: string, name: string, resourceVersion: string | undefined, done: (type: string, p: Pod) => boolean): Promise<void> {
  const r = new WatchReader<Pod>(await cluster.client.pods<Pod>(ns).watch({ fieldSelector: `metadata.name=${name}`, resourceVersion }), WAIT.timeoutMs);
  try {
    await readUntil(r, (ev) => done(ev.type, ev.object), `${name} deleted after being seen`);
  } finally {
    r.stop();
  }
}

const setPartition = (ns: string, name: string, partition: number) => updateStatefulSet(cluster.client, ns, name, (u) => {
  u.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition } };
});

describe('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic]', { concurrency: true }, () => {
  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should perform rolling updates and roll backs of template modifications [Conformance]', async () => {
    const ns = await namespace();
    // rollbackTest
    let ss = await create(ns, newStatefulSet('ss2', 3, SS_LABELS));
    await waitForRunning(cluster.client, 3, ss);
    ss = await waitForStatus(cluster.client, ss);
    let { currentRevision, updateRevision } = ss.status!;
    assert.equal(currentRevision, updateRevision, 'created with update revision equal to current revision');
    let pods = await podList(cluster.client, ss);
    for (const p of pods) assert.equal(p.metadata.labels?.[REVISION_LABEL], currentRevision);
    await setProbe(cluster.client, pods[1]!, false);
    await waitForPodReady(cluster.client, ss, pods[1]!.metadata.name!, false);
    const oldImage = ss.spec!.template.spec!.containers[0]!.image!;
    assert.notEqual(oldImage, NEW_WEBSERVER);
    ss = await updateStatefulSet(cluster.client, ns, 'ss2', (u) => {
      u.spec!.template.spec!.containers[0]!.image = NEW_WEBSERVER;
    });
    ss = await waitForStatus(cluster.client, ss);
    ({ currentRevision, updateRevision } = ss.status!);
    assert.notEqual(currentRevision, updateRevision, 'current revision should not equal update revision during rolling update');

    // Updating Pods in reverse ordinal order.
    pods = await podList(cluster.client, ss);
    await setProbe(cluster.client, pods[1]!, true);
    await waitForPodReady(cluster.client, ss, pods[1]!.metadata.name!);
    ({ ss, pods } = await waitForRollingUpdate(cluster.client, ss));
    assert.equal(ss.status?.currentRevision, updateRevision, 'current revision is the update revision on completion');
    for (const p of pods) {
      assert.equal(p.spec?.containers[0]?.image, NEW_WEBSERVER);
      assert.equal(p.metadata.labels?.[REVISION_LABEL], updateRevision);
    }

    // Rolling back to a previous revision.
    await setProbe(cluster.client, pods[1]!, false);
    await waitForPodReady(cluster.client, ss, pods[1]!.metadata.name!, false);
    const priorRevision = currentRevision;
    ss = await updateStatefulSet(cluster.client, ns, 'ss2', (u) => {
      u.spec!.template.spec!.containers[0]!.image = oldImage;
    });
    ss = await waitForStatus(cluster.client, ss);
    ({ currentRevision, updateRevision } = ss.status!);
    assert.equal(updateRevision, priorRevision, 'prior revision should equal update revision during roll back');
    assert.notEqual(currentRevision, updateRevision, 'current revision should not equal update revision during roll back');
    pods = await podList(cluster.client, ss);
    await setProbe(cluster.client, pods[1]!, true);
    await waitForPodReady(cluster.client, ss, pods[1]!.metadata.name!);
    ({ ss, pods } = await waitForRollingUpdate(cluster.client, ss));
    assert.equal(ss.status?.currentRevision, priorRevision, 'current revision is the prior revision on rollback completion');
    for (const p of pods) {
      assert.equal(p.spec?.containers[0]?.image, oldImage);
      assert.equal(p.metadata.labels?.[REVISION_LABEL], priorRevision);
    }
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should perform canary updates and phased rolling updates of template modifications [Conformance]', async () => {
    const ns = await namespace();
    const spec = newStatefulSet('ss2', 3, SS_LABELS);
    spec.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 3 } };
    let ss = await create(ns, spec);
    await waitForRunning(cluster.client, 3, ss);
    ss = await waitForStatus(cluster.client, ss);
    let { currentRevision, updateRevision } = ss.status!;
    assert.equal(currentRevision, updateRevision, 'created with update revision equal to current revision');
    for (const p of await podList(cluster.client, ss)) assert.equal(p.metadata.labels?.[REVISION_LABEL], currentRevision);
    const oldImage = ss.spec!.template.spec!.containers[0]!.image!;
    assert.notEqual(oldImage, NEW_WEBSERVER, 'should update to a different image');
    ss = await updateStatefulSet(cluster.client, ns, 'ss2', (u) => {
      u.spec!.template.spec!.containers[0]!.image = NEW_WEBSERVER;
    });
    ss = await waitForStatus(cluster.client, ss);
    ({ currentRevision, updateRevision } = ss.status!);
    assert.notEqual(currentRevision, updateRevision, 'current revision should not equal update revision during rolling update');
    // Not applying an update when the partition is greater than the number of replicas.
    checkPartitioned(await podList(cluster.client, ss), 3, { image: oldImage, revision: currentRevision }, { image: NEW_WEBSERVER, revision: updateRevision });

    // A canary update.
    ss = await setPartition(ns, 'ss2', 2);
    let pods: Pod[];
    ({ ss, pods } = await waitForPartitionedRollingUpdate(cluster.client, ss));
    checkPartitioned(pods, 2, { image: oldImage, revision: currentRevision }, { image: NEW_WEBSERVER, revision: updateRevision });

    // Restoring Pods to the correct revision when they are deleted.
    await cluster.client.pods(ns).delete('ss2-0');
    await cluster.client.pods(ns).delete('ss2-2');
    const deleted = new Set(pods.filter((p) => p.metadata.name === 'ss2-0' || p.metadata.name === 'ss2-2').map((p) => p.metadata.uid));
    await waitForRunning(cluster.client, 3, ss);
    pods = await eventually(async () => {
      const ps = await podList(cluster.client, ss);
      return ps.length === 3 && ps.every((p) => !deleted.has(p.metadata.uid)) && ps;
    }, 'the deleted pods recreated', WAIT);
    checkPartitioned(pods, 2, { image: oldImage, revision: currentRevision }, { image: NEW_WEBSERVER, revision: updateRevision });

    // A phased rolling update.
    for (let partition = 1; partition >= 0; partition--) {
      ss = await setPartition(ns, 'ss2', partition);
      ({ ss, pods } = await waitForPartitionedRollingUpdate(cluster.client, ss));
      checkPartitioned(pods, partition, { image: oldImage, revision: currentRevision }, { image: NEW_WEBSERVER, revision: updateRevision });
    }
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] Scaling should happen in predictable order and halt if any stateful pod is unhealthy [Slow] [Conformance]', async () => {
    const ns = await namespace();
    const selector = 'baz=blah,foo=bar';
    const added = new WatchReader<Pod>(await cluster.client.pods<Pod>(ns).watch({ labelSelector: selector }), WAIT.timeoutMs);
    try {
      let ss = await create(ns, newStatefulSet(SS, 1, SS_LABELS));
      await waitForRunning(cluster.client, 1, ss);
      // Scale up halts with an unhealthy stateful pod.
      await setAllProbes(cluster.client, ss, false);
      await waitForRunning(cluster.client, 1, ss, false);
      await waitForStatusReplicas(cluster.client, ss, 'readyReplicas', 0);
      ss = await updateStatefulSet(cluster.client, ns, SS, (u) => { u.spec!.replicas = 3; });
      await confirmPodCount(ss, 1);
      await setAllProbes(cluster.client, ss, true);
      await waitForRunning(cluster.client, 3, ss);
      // Scaled up in order.
      const order = [`${SS}-0`, `${SS}-1`, `${SS}-2`];
      await readUntil(added, (ev) => {
        if (ev.type === 'ADDED' && ev.object.metadata.name === order[0]) order.shift();
        return order.length === 0;
      }, 'pods added in order');
    } finally {
      added.stop();
    }
    // Scale down halts with an unhealthy stateful pod.
    const deletedOrder = new WatchReader<Pod>(await cluster.client.pods<Pod>(ns).watch({ labelSelector: selector }), WAIT.timeoutMs);
    try {
      let ss = await statefulSets(cluster.client, ns).get(SS);
      await setAllProbes(cluster.client, ss, false);
      await waitForStatusReplicas(cluster.client, ss, 'readyReplicas', 0);
      await waitForRunning(cluster.client, 3, ss, false);
      ss = await updateStatefulSet(cluster.client, ns, SS, (u) => { u.spec!.replicas = 0; });
      await confirmPodCount(ss, 3);
      await setAllProbes(cluster.client, ss, true);
      await podCount(ss, 0);
      const order = [`${SS}-2`, `${SS}-1`, `${SS}-0`];
      await readUntil(deletedOrder, (ev) => {
        if (ev.type === 'DELETED' && ev.object.metadata.name === order[0]) order.shift();
        return order.length === 0;
      }, 'pods deleted in reverse order');
    } finally {
      deletedOrder.stop();
    }
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] Burst scaling should run to completion even with unhealthy pods [Slow] [Conformance]', async () => {
    const ns = await namespace();
    const spec = newStatefulSet(SS, 1, SS_LABELS);
    spec.spec!.podManagementPolicy = 'Parallel';
    let ss = await create(ns, spec);
    await waitForRunning(cluster.client, 1, ss);
    // Scale up does not halt with an unhealthy stateful pod.
    await setAllProbes(cluster.client, ss, false);
    await waitForRunning(cluster.client, 1, ss, false);
    await waitForStatusReplicas(cluster.client, ss, 'readyReplicas', 0);
    ss = await updateStatefulSet(cluster.client, ns, SS, (u) => { u.spec!.replicas = 3; });
    await podCount(ss, 3);
    await setAllProbes(cluster.client, ss, true);
    await waitForRunning(cluster.client, 3, ss);
    // Scale down does not halt with an unhealthy stateful pod.
    await setAllProbes(cluster.client, ss, false);
    await waitForStatusReplicas(cluster.client, ss, 'readyReplicas', 0);
    await waitForRunning(cluster.client, 3, ss, false);
    ss = await updateStatefulSet(cluster.client, ns, SS, (u) => { u.spec!.replicas = 0; });
    await podCount(ss, 0);
    await waitForStatusReplicas(cluster.client, ss, 'replicas', 0);
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] Should recreate evicted statefulset [Conformance]', async () => {
    const ns = await namespace();
    const node = cluster.nodes[0]!;
    const conflictingPort = { hostPort: 21017, containerPort: 21017, name: 'conflict' };
    // A pod holding the host port on the node; the kubelet rejects the stateful pod asking for it.
    const pod = await cluster.client.pods<Pod>(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test-pod' }, spec: { nodeName: node, containers: [{ name: 'webserver', image: WEBSERVER.image, ports: [conflictingPort] }] } } as Pod);
    await eventually(async () => (await cluster.client.pods<Pod>(ns).get('test-pod')).status?.phase === 'Running', 'test-pod running', WAIT);
    const spec = newStatefulSet(SS, 1, SS_LABELS);
    spec.spec!.template.spec!.containers[0]!.ports = [conflictingPort];
    spec.spec!.template.spec!.nodeName = node;
    await create(ns, spec);
    // The stateful pod is recreated (deleted) at least once: a DELETED event after one was seen.
    const statefulPod = `${SS}-0`;
    const listed = await cluster.client.pods<Pod>(ns).list({ fieldSelector: `metadata.name=${statefulPod}` });
    let initialUid = listed.items[0]?.metadata.uid;
    await watchUntilPod(ns, statefulPod, listed.metadata.resourceVersion, (type, p) => {
      if (type === 'DELETED') return initialUid !== undefined;
      initialUid = p.metadata.uid;
      return false;
    });
    await cluster.client.pods(ns).delete(pod.metadata.name!, { gracePeriodSeconds: 0 });
    await eventually(async () => {
      const p = await cluster.client.pods<Pod>(ns).get(statefulPod).catch(() => undefined);
      return p?.status?.phase === 'Running' && p.metadata.uid !== initialUid;
    }, `${statefulPod} recreated and running`, WAIT);
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should have a working scale subresource [Conformance]', async () => {
    const ns = await namespace();
    const ss = await create(ns, newStatefulSet(SS, 1, SS_LABELS));
    await waitForRunning(cluster.client, 1, ss);
    await waitForStatus(cluster.client, ss);
    const rc = statefulSets(cluster.client, ns);
    const scale = await rc.getScale(SS);
    assert.equal(scale.spec?.replicas, 1);
    assert.equal(scale.status?.replicas, 1);
    const path = `/apis/apps/v1/namespaces/${ns}/statefulsets/${SS}/scale`;
    const put = await cluster.client.raw<typeof scale>('PUT', path, { ...scale, metadata: { ...scale.metadata, resourceVersion: '' }, spec: { replicas: 2 } });
    assert.equal(put.spec?.replicas, 2);
    assert.equal((await rc.get(SS)).spec?.replicas, 2);
    await cluster.client.raw('PATCH', path, { spec: { replicas: 4 } }, { contentType: 'application/strategic-merge-patch+json' });
    assert.equal((await rc.get(SS)).spec?.replicas, 4, 'statefulset should have 4 replicas');
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should list, patch and delete a collection of StatefulSets [Conformance]', async () => {
    const ns = await namespace();
    const name = 'test-ss';
    let ss = await create(ns, newStatefulSet(name, 1, { name: 'sample-pod', pod: WEBSERVER.name }));
    await waitForRunning(cluster.client, 1, ss);
    await waitForStatus(cluster.client, ss);
    const pause = 'registry.k8s.io/pause:3.10';
    // Upstream's patch: "TerminationGracePeriodSeconds" capitalised (an unknown field the server drops), a container named as the set.
    await statefulSets(cluster.client, ns).patch(name, 'strategic', { metadata: { labels: { 'test-ss': 'patched' } }, spec: { replicas: 2, template: { spec: { TerminationGracePeriodSeconds: 1, containers: [{ name, image: pause }] } } } });
    ss = await statefulSets(cluster.client, ns).get(name);
    assert.equal(ss.spec?.replicas, 2, 'statefulset should have 2 replicas');
    assert.equal(ss.spec?.template.spec?.containers[0]?.image, pause, 'statefulset using the patched image');
    await waitForRunning(cluster.client, 2, ss);
    await waitForStatus(cluster.client, ss);
    const all = cluster.client.resource(statefulSets(cluster.client, ns).ref);
    assert.equal((await all.list({ labelSelector: 'test-ss=patched' })).items.length, 1, 'filtered list');
    await statefulSets(cluster.client, ns).deleteCollection({ labelSelector: 'test-ss=patched' }, { gracePeriodSeconds: 1 });
    assert.equal((await all.list({ labelSelector: 'test-ss=patched' })).items.length, 0, 'no statefulset left');
  });

  it('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should validate Statefulset Status endpoints [Conformance]', async () => {
    const ns = await namespace();
    const selector = 'e2e=testing';
    const list = await cluster.client.resource(statefulSets(cluster.client, ns).ref).list({ labelSelector: selector });
    const ss = await create(ns, newStatefulSet(SS, 1, SS_LABELS));
    await waitForRunning(cluster.client, 1, ss);
    await waitForStatus(cluster.client, ss);
    await statefulSets(cluster.client, ns).patch(SS, 'strategic', { metadata: { labels: { e2e: 'testing' } } });
    await walkStatusEndpoints(cluster.client, statefulSets(cluster.client, ns), `/apis/apps/v1/namespaces/${ns}/statefulsets/${SS}/status`, SS, { labelSelector: selector, resourceVersion: list.metadata.resourceVersion });
  });
});
