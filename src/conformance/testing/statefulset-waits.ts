/**
 * Upstream's e2e StatefulSet helpers (test/e2e/framework/statefulset, test/e2e/apps/statefulset.go)
 * on the REST client: NewStatefulSet with its headless Service, the HTTP readiness probe and its
 * breaking (here: the simulated nodes' unready annotation, which a recreated pod does not carry, as a
 * recreated container has its probed file back), and the waits the conformance tests poll.
 */
import assert from 'node:assert/strict';
import type { Pod, StatefulSet } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { UNREADY_ANNOTATION } from '../../simulated-nodes/index.js';
import { eventually } from '../../testing/eventually.js';
import { podRunningReady } from './apps-cluster.js';
import { WAIT, WEBSERVER } from './deployment-waits.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const HEADLESS = 'test';
export const SS_LABELS = { foo: 'bar', baz: 'blah' };
export const NEW_WEBSERVER = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';

export const statefulSets = (client: KubeClient, ns: string) => client.resource<StatefulSet>(resources.statefulsets, ns);

/** e2estatefulset.NewStatefulSet without volumes, with setHTTPProbe's readiness probe. */
export function newStatefulSet(name: string, replicas: number, labels: Record<string, string>): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      selector: { matchLabels: labels }, replicas, serviceName: HEADLESS, updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'webserver', image: WEBSERVER.image, readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 } }] },
      },
    },
  } as StatefulSet;
}

/** The headless Service the tests' BeforeEach creates. */
export function createHeadlessService(client: KubeClient, ns: string): Promise<unknown> {
  return client.services(ns).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: HEADLESS }, spec: { clusterIP: 'None', selector: SS_LABELS, ports: [{ port: 80, name: 'http', protocol: 'TCP' }] } });
}

/** GetPodList, sorted by ordinal (SortStatefulPods). */
export async function podList(client: KubeClient, ss: StatefulSet): Promise<Pod[]> {
  const sel = Object.entries(ss.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = (await client.pods<Pod>(ss.metadata.namespace).list({ labelSelector: sel })).items;
  const ordinal = (p: Pod) => Number(/-(\d+)$/.exec(p.metadata.name ?? '')?.[1] ?? -1);
  return pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.controller && o.uid === ss.metadata.uid)).sort((a, b) => ordinal(a) - ordinal(b));
}

/** breakPodHTTPProbe / restorePodHTTPProbe on one pod. */
export function setProbe(client: KubeClient, pod: Pod, passing: boolean): Promise<unknown> {
  return client.pods(pod.metadata.namespace).patch(pod.metadata.name!, 'merge', { metadata: { annotations: { [UNREADY_ANNOTATION]: passing ? null : 'true' } } });
}

/** breakHTTPProbe / restoreHTTPProbe on every pod of the set. */
export async function setAllProbes(client: KubeClient, ss: StatefulSet, passing: boolean): Promise<void> {
  for (const p of await podList(client, ss)) await setProbe(client, p, passing);
}

/** waitForStatus: the controller has observed the set's generation. */
export function waitForStatus(client: KubeClient, ss: StatefulSet): Promise<StatefulSet> {
  return eventually(async () => {
    const cur = await statefulSets(client, ss.metadata.namespace!).get(ss.metadata.name!);
    return (cur.status?.observedGeneration ?? 0) >= (cur.metadata.generation ?? 0) && cur;
  }, `statefulset ${ss.metadata.name} status observed`, WAIT);
}

/** WaitForRunningAndReady / waitForRunningAndNotReady: exactly `n` pods, all Running, Ready as asked. */
export function waitForRunning(client: KubeClient, n: number, ss: StatefulSet, ready = true): Promise<Pod[]> {
  return eventually(async () => {
    const pods = await podList(client, ss);
    const ok = pods.length === n && pods.every((p) => p.status?.phase === 'Running' && podRunningReady(p) === ready);
    return ok && pods;
  }, `${n} pods of ${ss.metadata.name} running and ${ready ? '' : 'not '}ready`, WAIT);
}

/** WaitForPodReady / waitForPodNotReady. */
export function waitForPodReady(client: KubeClient, ss: StatefulSet, name: string, ready = true): Promise<Pod> {
  return eventually(async () => {
    const p = (await podList(client, ss)).find((x) => x.metadata.name === name);
    return p && podRunningReady(p) === ready && p;
  }, `pod ${name} ${ready ? 'ready' : 'not ready'}`, WAIT);
}

/** WaitForStatusReadyReplicas / WaitForStatusReplicas. */
export function waitForStatusReplicas(client: KubeClient, ss: StatefulSet, field: 'readyReplicas' | 'replicas', n: number): Promise<StatefulSet> {
  return eventually(async () => {
    const cur = await statefulSets(client, ss.metadata.namespace!).get(ss.metadata.name!);
    return (cur.status?.observedGeneration ?? 0) >= (cur.metadata.generation ?? 0) && (cur.status?.[field] ?? 0) === n && cur;
  }, `statefulset ${ss.metadata.name} status.${field} ${n}`, WAIT);
}

/** waitForRollingUpdate: observed, current revision caught up with the update revision, every pod at it. */
export function waitForRollingUpdate(client: KubeClient, ss: StatefulSet): Promise<{ ss: StatefulSet; pods: Pod[] }> {
  return eventually(async () => {
    const cur = await statefulSets(client, ss.metadata.namespace!).get(ss.metadata.name!);
    const pods = await podList(client, cur);
    const s = cur.status;
    const done = (s?.observedGeneration ?? 0) >= (cur.metadata.generation ?? 0) && s?.currentRevision === s?.updateRevision
      && pods.length === cur.spec?.replicas && pods.every((p) => p.metadata.labels?.[REVISION_LABEL] === s?.updateRevision);
    return done && { ss: cur, pods };
  }, `statefulset ${ss.metadata.name} rolling update`, WAIT);
}

/** WaitForPartitionedRollingUpdate: every pod at or past the partition is at the update revision. */
export function waitForPartitionedRollingUpdate(client: KubeClient, ss: StatefulSet): Promise<{ ss: StatefulSet; pods: Pod[] }> {
  assert.equal(ss.spec?.updateStrategy?.type, 'RollingUpdate');
  return eventually(async () => {
    const cur = await statefulSets(client, ss.metadata.namespace!).get(ss.metadata.name!);
    const partition = cur.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const pods = await podList(client, cur);
    const done = (cur.status?.observedGeneration ?? 0) >= (cur.metadata.generation ?? 0) && pods.length === cur.spec?.replicas
      && pods.every((p, i) => i < partition || (p.metadata.labels?.[REVISION_LABEL] === cur.status?.updateRevision && podRunningReady(p)));
    return done && { ss: cur, pods };
  }, `statefulset ${ss.metadata.name} partitioned rolling update`, WAIT);
}

/** UpdateStatefulSetWithRetries. */
export function updateStatefulSet(client: KubeClient, ns: string, name: string, change: (s: StatefulSet) => void): Promise<StatefulSet> {
  return eventually(async () => {
    const cur = await statefulSets(client, ns).get(name);
    change(cur);
    return statefulSets(client, ns).update(cur);
  }, `update of statefulset ${name}`, { ...WAIT, retryErrors: true });
}

/** The pods' images and revisions against a partition: below it the old ones, from it the new ones. */
export function checkPartitioned(pods: Pod[], partition: number, old: { image: string; revision?: string }, next: { image: string; revision?: string }): void {
  for (const [i, p] of pods.entries()) {
    const want = i < partition ? old : next;
    assert.equal(p.spec?.containers[0]?.image, want.image, `pod ${p.metadata.name} image`);
    assert.equal(p.metadata.labels?.[REVISION_LABEL], want.revision, `pod ${p.metadata.name} revision`);
  }
}

/**
 * ConfirmStatefulPodCount(count, hard): the controller has synced the latest spec (observedGeneration)
 * and the set still has exactly `count` pods.
 */
export async function confirmStatefulPodCount(client: KubeClient, ss: StatefulSet, count: number): Promise<void> {
  await waitForStatus(client, ss);
  assert.equal((await podList(client, ss)).length, count, `statefulset ${ss.metadata.name} pod count`);
}

/** ConfirmStatefulPodCount without `hard`, and e2estatefulset.Scale's wait: the set reaches `count` pods. */
export const waitForPodCount = (client: KubeClient, ss: StatefulSet, count: number) =>
  eventually(async () => (await podList(client, ss)).length === count, `statefulset ${ss.metadata.name} at ${count} pods`, WAIT);
