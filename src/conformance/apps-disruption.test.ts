/**
 * Upstream's [sig-apps] DisruptionController conformance tests (test/e2e/apps/disruption.go)
 * against a whole control plane with simulated nodes (apps-cluster.ts): the PDB API (create, update,
 * patch, delete, list and deletecollection across namespaces), the controller's status
 * (disruptionsAllowed, observedGeneration, currentHealthy/desiredHealthy), the status subresource,
 * and the Eviction API blocking an eviction with a DisruptionBudget cause until the PDB allows it;
 * plus upstream's (non-conformance) eviction cases that fit two nodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodDisruptionBudget, ReplicaSet } from '../api/kinds/index.js';
import { StatusError } from '../api/status.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile, podRunningReady } from './testing/apps-cluster.js';
import { WAIT } from './testing/deployment-waits.js';

const cluster = appsClusterForFile('cf-pdb');
const NAME = 'foo';
const LABELS = { foo: 'bar' };
const PAUSE = 'registry.k8s.io/pause:3.10';
const pdbs = (ns?: string) => cluster.client.resource<PodDisruptionBudget>(resources.poddisruptionbudgets, ns);
const retrying = { ...WAIT, retryErrors: true };

/** waitForPdbToBeProcessed: the controller has observed the PDB's generation. */
const processed = (ns: string, name: string) => eventually(async () => {
  const p = await pdbs(ns).get(name);
  return (p.status?.observedGeneration ?? 0) >= (p.metadata.generation ?? 0) && p;
}, `pdb ${name} processed`, WAIT);

async function createPDB(ns: string, name: string, spec: { minAvailable?: number | string; maxUnavailable?: number | string }, labels?: Record<string, string>): Promise<void> {
  await pdbs(ns).create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, ...(labels ? { labels } : {}) }, spec: { selector: { matchLabels: LABELS }, ...spec } } as PodDisruptionBudget);
  await processed(ns, name);
}

/** updatePDBOrDie: get, change, update (main resource or status), again on a conflict; then processed. */
async function updatePDB(ns: string, change: (p: PodDisruptionBudget) => void, status = false): Promise<PodDisruptionBudget> {
  const updated = await eventually(async () => {
    const p = await pdbs(ns).get(NAME);
    change(p);
    return status ? pdbs(ns).updateStatus(p) : pdbs(ns).update(p);
  }, 'the PDB update', retrying);
  await processed(ns, NAME);
  return updated;
}

async function patchPDB(ns: string, body: unknown, subresource?: string): Promise<PodDisruptionBudget> {
  const patched = await pdbs(ns).patch(NAME, 'merge', body, subresource ? { subresource } : {});
  await processed(ns, NAME);
  return patched;
}

function createPods(ns: string, n: number): Promise<unknown> {
  return Promise.all(Array.from({ length: n }, (_, i) => cluster.client.pods<Pod>(ns).create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, labels: LABELS }, spec: { containers: [{ name: 'donothing', image: PAUSE }], restartPolicy: 'Always' },
  } as Pod)));
}

function createReplicaSet(ns: string, size: number, exclusive = false): Promise<ReplicaSet> {
  return cluster.client.replicaSets<ReplicaSet>(ns).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' },
    spec: { replicas: size, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'donothing', image: PAUSE, ...(exclusive ? { ports: [{ hostPort: 5555, containerPort: 5555 }] } : {}) }] } } },
  } as ReplicaSet);
}

/** waitForPodsOrDie: at least `n` pods foo=bar Ready and not terminating. */
const podsReady = (ns: string, n: number) => eventually(async () => {
  const ps = (await cluster.client.pods<Pod>(ns).list({ labelSelector: 'foo=bar' })).items;
  return ps.filter(podRunningReady).length >= n;
}, `${n} pods ready`, WAIT);

const runningPod = (ns: string) => eventually(async () => (await cluster.client.pods<Pod>(ns).list()).items.find(podRunningReady), 'a running pod', WAIT);

const evict = (ns: string, pod: string) => cluster.client.pods(ns).evict(pod);

/** The eviction fails with the DisruptionBudget cause (apierrors.HasStatusCause: a cause's Type is its "reason" on the wire). */
async function evictionDenied(ns: string, pod: string): Promise<void> {
  const err = await evict(ns, pod).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StatusError, `pod eviction should fail with DisruptionBudget cause, it succeeded`);
  assert.ok(err.status.details?.causes?.some((c) => c.reason === 'DisruptionBudget'), `pod eviction should fail with DisruptionBudget cause. The error was ${JSON.stringify(err.status)}`);
}

describe('[sig-apps] DisruptionController', { concurrency: true }, () => {
  it('[sig-apps] DisruptionController Listing PodDisruptionBudgets for all namespaces should list and delete a collection of PodDisruptionBudgets [Conformance]', async () => {
    const ns = await cluster.namespace();
    const other = await cluster.namespace();
    const special = { foo_pdb: 'bar_pdb' };
    await createPDB(ns, NAME, { minAvailable: 2 }, special);
    await createPDB(ns, 'foo2', { minAvailable: '1%' }, special);
    await createPDB(other, 'foo3', { minAvailable: 2 }, special);
    const names = async (n?: string) => (await pdbs(n).list({ labelSelector: 'foo_pdb=bar_pdb' })).items.map((p) => p.metadata.name).sort();
    assert.deepEqual(await names(), [NAME, 'foo2', 'foo3'], 'across all namespaces');
    assert.deepEqual(await names(ns), [NAME, 'foo2'], `in namespace ${ns}`);
    await pdbs(ns).deleteCollection();
    await eventually(async () => (await pdbs(ns).list()).items.length === 0, 'the PDB collection deleted', WAIT);
  });

  it('[sig-apps] DisruptionController should create a PodDisruptionBudget [Conformance]', async () => {
    const ns = await cluster.namespace();
    await createPDB(ns, NAME, { minAvailable: '1%' }, LABELS);
    const updated = await updatePDB(ns, (p) => {
      p.spec!.minAvailable = '2%';
    });
    assert.equal(updated.spec?.minAvailable, '2%');
    const patched = await patchPDB(ns, { spec: { minAvailable: '3%' } });
    assert.equal(patched.spec?.minAvailable, '3%');
    await pdbs(ns).delete(NAME);
    await eventually(() => pdbs(ns).get(NAME).then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e))), 'the pdb deleted', WAIT);
  });

  it('[sig-apps] DisruptionController should observe PodDisruptionBudget status updated [Conformance]', async () => {
    const ns = await cluster.namespace();
    await createPDB(ns, NAME, { minAvailable: 1 }, LABELS);
    await createPods(ns, 3);
    await podsReady(ns, 3);
    // disruptionsAllowed starts at 0: seeing it positive means the controller works.
    await eventually(async () => ((await pdbs(ns).get(NAME)).status?.disruptionsAllowed ?? 0) > 0, 'disruptionsAllowed > 0', WAIT);
  });

  it('[sig-apps] DisruptionController should update/patch PodDisruptionBudget status [Conformance]', async () => {
    const ns = await cluster.namespace();
    await createPDB(ns, NAME, { minAvailable: 1 }, LABELS);
    await createPods(ns, 1);
    await podsReady(ns, 1);
    const pod = (await runningPod(ns))!;
    await updatePDB(ns, (p) => {
      p.status = { ...p.status!, disruptedPods: { [pod.metadata.name!]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } };
    }, true);
    const statusPath = `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${NAME}/status`;
    const updated = await cluster.client.raw<PodDisruptionBudget>('GET', statusPath);
    assert.ok(updated.status?.disruptedPods?.[pod.metadata.name!], `expecting the DisruptedPods to have ${pod.metadata.name}: ${JSON.stringify(updated.status)}`);
    // jsonpatch.CreateMergePatch of the status with disruptedPods emptied: {"status":{"disruptedPods":null}}.
    const patched = await patchPDB(ns, { status: { disruptedPods: null } }, 'status');
    assert.deepEqual(patched.status?.disruptedPods ?? {}, {}, 'expecting the DisruptedPods to be empty');
  });

  it('[sig-apps] DisruptionController should block an eviction until the PDB is updated to allow it [Conformance]', async () => {
    const ns = await cluster.namespace();
    await createPDB(ns, NAME, { minAvailable: 3 }, LABELS);
    await createReplicaSet(ns, 3);
    await podsReady(ns, 3);
    const pod = (await runningPod(ns))!;
    await evictionDenied(ns, pod.metadata.name!);

    await updatePDB(ns, (p) => {
      p.spec!.minAvailable = 2;
    });
    await podsReady(ns, 3);
    // waitForPdbToObserveHealthyPods(3, 2)
    await eventually(async () => {
      const s = (await pdbs(ns).get(NAME)).status;
      return s?.currentHealthy === 3 && s.desiredHealthy === 2;
    }, 'the pdb to observe 3 healthy pods, 2 desired', WAIT);
    await evict(ns, pod.metadata.name!);

    // CreateMergePatch of minAvailable removed and maxUnavailable 0.
    await patchPDB(ns, { spec: { minAvailable: null, maxUnavailable: 0 } });
    await podsReady(ns, 3);
    const next = (await runningPod(ns))!;
    await evictionDenied(ns, next.metadata.name!);

    await pdbs(ns).delete(NAME);
    await eventually(() => pdbs(ns).get(NAME).then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e))), 'the pdb deleted', WAIT);
    await podsReady(ns, 3);
    await evict(ns, next.metadata.name!);
  });

  // Upstream's eviction cases (not conformance) that fit a two-node cluster.
  const cases = [
    { description: 'no PDB', podCount: 1, shouldDeny: false },
    { description: 'too few pods, absolute', minAvailable: 2, podCount: 2, shouldDeny: true },
    { description: 'enough pods, absolute', minAvailable: 2, podCount: 3, shouldDeny: false },
    { description: 'enough pods, replicaSet, percentage', minAvailable: '90%', replicaSetSize: 10, shouldDeny: false },
    { description: 'too few pods, replicaSet, percentage', minAvailable: '90%', replicaSetSize: 10, exclusive: true, shouldDeny: true },
    { description: 'maxUnavailable allow single eviction, percentage', maxUnavailable: '10%', replicaSetSize: 10, shouldDeny: false },
    { description: 'maxUnavailable deny evictions, integer', maxUnavailable: 1, replicaSetSize: 10, exclusive: true, shouldDeny: true },
  ];
  for (const c of cases) {
    it(`[sig-apps] DisruptionController evictions: ${c.description} => ${c.shouldDeny ? 'should not allow an eviction' : 'should allow an eviction'}`, async () => {
      const ns = await cluster.namespace();
      await createPods(ns, c.podCount ?? 0);
      if (c.replicaSetSize) await createReplicaSet(ns, c.replicaSetSize, c.exclusive);
      if (c.minAvailable !== undefined) await createPDB(ns, NAME, { minAvailable: c.minAvailable }, LABELS);
      if (c.maxUnavailable !== undefined) await createPDB(ns, NAME, { maxUnavailable: c.maxUnavailable });
      const pod = (await runningPod(ns))!;
      if (c.shouldDeny) {
        await evictionDenied(ns, pod.metadata.name!);
      } else {
        await podsReady(ns, (c.podCount ?? 0) + (c.replicaSetSize ?? 0));
        // disruptionsAllowed starts at 0: an eviction ever allowed means the controller works.
        await eventually(() => evict(ns, pod.metadata.name!), 'the eviction to be allowed', retrying);
      }
    });
  }
});
