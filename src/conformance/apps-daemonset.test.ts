/**
 * Upstream's [sig-apps] Daemon set [Serial] and ControllerRevision [Serial] conformance tests
 * (test/e2e/apps/daemon_set.go, controller_revision.go) against a whole control plane with two
 * simulated nodes (apps-cluster.ts): simple and node-selected daemons, failed pods retried, the
 * RollingUpdate strategy and its ControllerRevisions, a rollback without restarts (the rollout's
 * nonexistent image is one the simulated nodes cannot pull either), list and deletecollection, the
 * status subresource, and a ControllerRevision's lifecycle. Serial as upstream: they label the nodes
 * and list DaemonSets across namespaces; each test's DaemonSets are deleted after it, as upstream's
 * AfterEach does.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../api/kinds/index.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { canonicalJson, computeHash } from '../controller-runtime/workload/hash.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile, podRunningReady } from './testing/apps-cluster.js';
import { AGNHOST, WAIT, WEBSERVER } from './testing/deployment-waits.js';
import { walkStatusEndpoints } from './testing/status-walk.js';

const NON_EXISTENT = 'foo:non-existent';
const cluster = appsClusterForFile('cf-ds', { count: 2, unpullableImages: [NON_EXISTENT] });
const dsName = 'daemon-set';
const NAME_LABEL = 'daemonset-name';
const COLOR_LABEL = 'daemonset-color';
const HASH_LABEL = 'controller-revision-hash';
const label = { [NAME_LABEL]: dsName };
const daemonSets = (ns: string) => cluster.client.resource<DaemonSet>(resources.daemonsets, ns);
const revisions = (ns?: string) => cluster.client.resource<ControllerRevision>(resources.controllerrevisions, ns);
const retrying = { ...WAIT, retryErrors: true };

/** newDaemonSetWithLabel (e2edaemonset.NewDaemonSet with the label on the DaemonSet too). */
function newDaemonSet(name: string, image: string, labels: Record<string, string>): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 9376 }] }] } } },
  } as DaemonSet;
}

const controlledBy = (p: Pod, ds: DaemonSet) => !!p.metadata.ownerReferences?.some((o) => o.controller && o.uid === ds.metadata.uid);
const daemonPods = async (ns: string) => (await cluster.client.pods<Pod>(ns).list({ labelSelector: `${NAME_LABEL}=${dsName}` })).items;

/** schedulableNodes: the nodes the DaemonSet's nodeSelector matches (the simulated nodes carry no taints). */
async function schedulableNodes(ds: DaemonSet): Promise<string[]> {
  const sel = ds.spec?.template?.spec?.nodeSelector ?? {};
  const nodes = (await cluster.client.nodes<Node>().list()).items;
  return nodes.filter((n) => Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v) && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')).map((n) => n.metadata.name!);
}

/** checkDaemonPodOnNodes: exactly one available daemon pod on each of `nodes`, and none elsewhere. */
const onNodes = (ns: string, ds: DaemonSet, nodes: () => Promise<string[]>, what: string) => eventually(async () => {
  const want = await nodes();
  const count = new Map<string, number>();
  for (const p of await cluster.client.pods<Pod>(ns).list().then((l) => l.items)) {
    if (!controlledBy(p, ds) || p.metadata.deletionTimestamp || !podRunningReady(p)) continue;
    count.set(p.spec!.nodeName!, (count.get(p.spec!.nodeName!) ?? 0) + 1);
  }
  return want.every((n) => count.get(n) === 1) && count.size === want.length;
}, what, WAIT);
const onAllNodes = (ns: string, ds: DaemonSet) => onNodes(ns, ds, () => schedulableNodes(ds), 'daemon pods on every node');
const onNoNodes = (ns: string, ds: DaemonSet) => onNodes(ns, ds, () => Promise.resolve([]), 'daemon pods on no node');

/**
 * e2edaemonset.CheckDaemonStatus, which polls until desired = scheduled = ready: a simulated node runs
 * the pod before the controller's next status write (CI read CurrentScheduled 0 once).
 */
async function checkDaemonStatus(ns: string, name: string): Promise<void> {
  await eventually(async () => {
    const s = (await daemonSets(ns).get(name)).status;
    return s?.desiredNumberScheduled === s?.currentNumberScheduled && s?.currentNumberScheduled === s?.numberReady;
  }, `daemon status of ${name}: desired = scheduled = ready`, WAIT);
}

/** setDaemonSetNodeLabels: the node's daemonset-* labels become exactly `labels`. */
async function setNodeLabels(node: string, labels: Record<string, string>): Promise<Node> {
  return eventually(async () => {
    const n = await cluster.client.nodes<Node>().get(node);
    const other = Object.fromEntries(Object.entries(n.metadata.labels ?? {}).filter(([k]) => !k.startsWith('daemonset-')));
    n.metadata.labels = { ...other, ...labels };
    return cluster.client.nodes<Node>().update(n);
  }, `labels of node ${node}`, retrying);
}

/** checkDaemonPodsImageAndAvailability: every node has an updated pod; never more than `maxUnavailable` unavailable. */
const imageAndAvailability = (ns: string, ds: DaemonSet, image: string, maxUnavailable: number) => eventually(async () => {
  let unavailable = 0;
  const updated = new Set<string>();
  for (const p of await cluster.client.pods<Pod>(ns).list().then((l) => l.items)) {
    if (!controlledBy(p, ds)) continue;
    if (p.spec?.containers[0]?.image === image) updated.add(p.spec.nodeName ?? '');
    if (!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) unavailable++;
  }
  if (unavailable > maxUnavailable) throw new Error(`number of unavailable pods: ${unavailable} is greater than maxUnavailable: ${maxUnavailable}`);
  return (await schedulableNodes(ds)).every((n) => updated.has(n));
}, `daemon pods with ${image}`, WAIT);

/** waitForHistoryCreated, then curHistory: the one revision whose data is the DaemonSet's template. */
async function currentHistory(ns: string, count: number): Promise<ControllerRevision> {
  const list = await eventually(async () => {
    const l = (await revisions(ns).list({ labelSelector: `${NAME_LABEL}=${dsName}` })).items;
    return l.length === count && l;
  }, `${count} controllerrevisions`, WAIT);
  const ds = await daemonSets(ns).get(dsName);
  const want = canonicalJson(ds.spec?.template);
  const cur = list.filter((h) => {
    assert.ok(h.metadata.labels?.[HASH_LABEL], 'every history has the hash label');
    const t = structuredClone((h.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {});
    delete t.$patch;
    return canonicalJson(t) === want;
  });
  assert.equal(cur.length, 1, 'one current history');
  return cur[0]!;
}

async function checkPodsHashLabel(ns: string, hash: string): Promise<void> {
  for (const p of await daemonPods(ns)) assert.equal(p.metadata.labels?.[HASH_LABEL], hash, `pod ${p.metadata.name} hash label`);
}

describe('[sig-apps] Daemon set [Serial]', () => {
  let ns = '';
  beforeEach(async () => {
    ns = await cluster.namespace();
    for (const n of cluster.nodes) await setNodeLabels(n, {});
  });
  afterEach(async () => {
    for (const d of (await daemonSets(ns).list()).items) await daemonSets(ns).delete(d.metadata.name!).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  });

  it('[sig-apps] Daemon set [Serial] should run and stop simple daemon [Conformance]', async () => {
    const ds = await daemonSets(ns).create(newDaemonSet(dsName, WEBSERVER.image, label));
    await onAllNodes(ns, ds);
    await checkDaemonStatus(ns, dsName);
    const pod = (await daemonPods(ns))[0]!;
    await cluster.client.pods(ns).delete(pod.metadata.name!);
    await eventually(async () => !(await daemonPods(ns)).some((p) => p.metadata.uid === pod.metadata.uid), 'the stopped pod gone', WAIT);
    await onAllNodes(ns, ds);
  });

  it('[sig-apps] Daemon set [Serial] should run and stop complex daemon [Conformance]', async () => {
    const spec = newDaemonSet(dsName, WEBSERVER.image, label);
    spec.spec!.template.spec!.nodeSelector = { [COLOR_LABEL]: 'blue' };
    let ds = await daemonSets(ns).create(spec);
    await onNoNodes(ns, ds);
    const node = cluster.nodes[0]!;
    const blue = await setNodeLabels(node, { [COLOR_LABEL]: 'blue' });
    assert.equal(Object.keys(blue.metadata.labels ?? {}).filter((k) => k.startsWith('daemonset-')).length, 1);
    await onNodes(ns, ds, () => Promise.resolve([node]), 'a daemon pod on the blue node');
    await checkDaemonStatus(ns, dsName);
    const green = await setNodeLabels(node, { [COLOR_LABEL]: 'green' });
    await onNoNodes(ns, ds);
    // Upstream's patch, updateStrategy outside spec included (an unknown field the server drops).
    ds = await daemonSets(ns).patch(dsName, 'strategic', { spec: { template: { spec: { nodeSelector: { [COLOR_LABEL]: green.metadata.labels![COLOR_LABEL] } } } }, updateStrategy: { type: 'RollingUpdate' } });
    await onNodes(ns, ds, () => Promise.resolve([node]), 'a daemon pod on the green node');
    await checkDaemonStatus(ns, dsName);
  });

  it('[sig-apps] Daemon set [Serial] should retry creating failed daemon pods [Conformance]', async () => {
    const ds = await daemonSets(ns).create(newDaemonSet(dsName, WEBSERVER.image, label));
    await onAllNodes(ns, ds);
    await checkDaemonStatus(ns, dsName);
    const pod = (await daemonPods(ns))[0]!;
    await cluster.client.pods<Pod>(ns).updateStatus({ ...pod, metadata: { ...pod.metadata, resourceVersion: undefined }, status: { ...pod.status, phase: 'Failed' } });
    await onAllNodes(ns, ds);
    await eventually(() => cluster.client.pods(ns).get(pod.metadata.name!).then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e))), 'the failed daemon pod deleted', WAIT);
  });

  it('[sig-apps] Daemon set [Serial] should update pod when spec was updated and update strategy is RollingUpdate [Conformance]', async () => {
    const spec = newDaemonSet(dsName, WEBSERVER.image, label);
    spec.spec!.updateStrategy = { type: 'RollingUpdate' };
    const ds = await daemonSets(ns).create(spec);
    await onAllNodes(ns, ds);
    let cur = await currentHistory(ns, 1);
    assert.equal(cur.revision, 1);
    await checkPodsHashLabel(ns, cur.metadata.labels![HASH_LABEL]!);
    await daemonSets(ns).patch(dsName, 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: AGNHOST.image }] } } } });
    await imageAndAvailability(ns, ds, AGNHOST.image, 1);
    await onAllNodes(ns, ds);
    cur = await currentHistory(ns, 2);
    assert.equal(cur.revision, 2);
    await checkPodsHashLabel(ns, cur.metadata.labels![HASH_LABEL]!);
  });

  it('[sig-apps] Daemon set [Serial] should rollback without unnecessary restarts [Conformance]', async () => {
    assert.ok(cluster.nodes.length > 1, 'needs a cluster with at least 2 nodes');
    const spec = newDaemonSet(dsName, WEBSERVER.image, label);
    spec.spec!.updateStrategy = { type: 'RollingUpdate' };
    const ds = await daemonSets(ns).create(spec);
    await onAllNodes(ns, ds);
    const update = (image: string) => eventually(async () => {
      const cur = await daemonSets(ns).get(dsName);
      cur.spec!.template.spec!.containers[0]!.image = image;
      return daemonSets(ns).update(cur);
    }, `the DaemonSet image ${image}`, retrying);
    // A nonexistent image, so that the rollout cannot finish.
    await update(NON_EXISTENT);
    await eventually(async () => (await daemonPods(ns)).some((p) => p.spec?.containers[0]?.image === NON_EXISTENT), 'at least one new pod', WAIT);
    const pods = await daemonPods(ns);
    const existing = pods.filter((p) => p.spec?.containers[0]?.image === WEBSERVER.image);
    const fresh = pods.filter((p) => p.spec?.containers[0]?.image === NON_EXISTENT);
    assert.equal(existing.length + fresh.length, pods.length, `unexpected pod images: ${pods.map((p) => p.spec?.containers[0]?.image).join(', ')}`);
    assert.notEqual(existing.length, 0, 'old pods remain mid-rollout');
    assert.notEqual(fresh.length, 0, 'new pods exist mid-rollout');
    const rolledBack = await update(WEBSERVER.image);
    await imageAndAvailability(ns, rolledBack, WEBSERVER.image, 1);
    const after = new Set((await daemonPods(ns)).map((p) => p.metadata.name));
    for (const p of existing) assert.ok(after.has(p.metadata.name), `unexpected pod ${p.metadata.name} be restarted`);
  });

  it('[sig-apps] Daemon set [Serial] should list and delete a collection of DaemonSets [Conformance]', async () => {
    const selector = `${NAME_LABEL}=${dsName}`;
    const ds = await daemonSets(ns).create(newDaemonSet(dsName, WEBSERVER.image, label));
    await onAllNodes(ns, ds);
    await checkDaemonStatus(ns, dsName);
    assert.equal((await cluster.client.resource(resources.daemonsets).list({ labelSelector: selector })).items.length, 1, 'filtered list');
    await daemonSets(ns).deleteCollection({ labelSelector: selector }, { gracePeriodSeconds: 1 });
    assert.equal((await cluster.client.resource(resources.daemonsets).list({ labelSelector: selector })).items.length, 0, 'no daemonset left');
  });

  it('[sig-apps] Daemon set [Serial] should verify changes to a daemon set status [Conformance]', async () => {
    const selector = `${NAME_LABEL}=${dsName}`;
    const list = await cluster.client.resource(resources.daemonsets).list({ labelSelector: selector });
    const ds = await daemonSets(ns).create(newDaemonSet(dsName, WEBSERVER.image, label));
    await onAllNodes(ns, ds);
    await checkDaemonStatus(ns, dsName);
    await walkStatusEndpoints(cluster.client, daemonSets(ns), `/apis/apps/v1/namespaces/${ns}/daemonsets/${dsName}/status`, dsName, { labelSelector: selector, resourceVersion: list.metadata.resourceVersion });
  });
});

describe('[sig-apps] ControllerRevision [Serial]', () => {
  it('[sig-apps] ControllerRevision [Serial] should manage the lifecycle of a ControllerRevision [Conformance]', async () => {
    const ns = await cluster.namespace();
    for (const n of cluster.nodes) await setNodeLabels(n, {});
    const name = `e2e-${Math.random().toString(36).slice(2, 7)}-daemon-set`;
    const dsLabel = { [NAME_LABEL]: name };
    const selector = `${NAME_LABEL}=${name}`;
    const created = await daemonSets(ns).create(newDaemonSet(name, AGNHOST.image, dsLabel));
    await onAllNodes(ns, created);
    await checkDaemonStatus(ns, name);
    assert.equal((await cluster.client.resource(resources.daemonsets).list({ labelSelector: selector })).items.length, 1, 'filtered list');
    const ds = await daemonSets(ns).get(name);
    // Across all namespaces: listAppsV1ControllerRevisionForAllNamespaces.
    const revs = (await revisions().list({ labelSelector: selector })).items;
    assert.equal(revs.length, 1, 'one ControllerRevision');
    const oref = revs[0]!.metadata.ownerReferences?.[0];
    assert.ok(oref?.kind === 'DaemonSet' && oref.uid === ds.metadata.uid, 'owned by the DaemonSet');
    const initial = await revisions(ns).get(revs[0]!.metadata.name!);
    const patched = await revisions(ns).patch(initial.metadata.name!, 'strategic', { metadata: { labels: { [initial.metadata.name!]: 'patched' } } });
    assert.equal(patched.metadata.labels?.[initial.metadata.name!], 'patched');

    // A new ControllerRevision, named as the controller would name the template with terminationGracePeriodSeconds 1.
    ds.spec!.template.spec!.terminationGracePeriodSeconds = 1;
    const hash = computeHash(ds.spec!.template, ds.status?.collisionCount);
    await revisions(ns).create({
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: {
        name: `${name}-${hash}`, labels: { ...ds.spec!.template.metadata?.labels, [HASH_LABEL]: hash }, ...(ds.metadata.annotations ? { annotations: ds.metadata.annotations } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data: initial.data, revision: (initial.revision ?? 0) + 1,
    } as ControllerRevision);
    const quantity = (n: number) => eventually(async () => (await revisions(ns).list({ labelSelector: selector })).items.length === n, `${n} ControllerRevisions`, WAIT);
    await quantity(2);
    await revisions(ns).delete(initial.metadata.name!);
    await quantity(1);
    const current = (await revisions(ns).list()).items[0]!;
    const updated = await eventually(async () => {
      const cr = await revisions(ns).get(current.metadata.name!);
      cr.metadata.labels = { ...cr.metadata.labels, [current.metadata.name!]: 'updated' };
      return revisions(ns).update(cr);
    }, 'the ControllerRevision update', retrying);
    assert.equal(updated.metadata.labels?.[current.metadata.name!], 'updated');

    // Another ControllerRevision, by patching the DaemonSet (upstream's patch, updateStrategy outside spec included).
    await daemonSets(ns).patch(name, 'strategic', { spec: { template: { spec: { terminationGracePeriodSeconds: 1 } } }, updateStrategy: { type: 'RollingUpdate' } });
    await quantity(2);
    await revisions(ns).deleteCollection({ labelSelector: `${updated.metadata.name}=updated` });
    await quantity(1);
    const list = (await revisions(ns).list()).items;
    assert.equal(list[0]?.revision, 3, 'the current revision is 3');
    await daemonSets(ns).delete(name);
  });
});
