/**
 * Upstream's [sig-apps] Job conformance tests (test/e2e/apps/job.go) against a whole control plane
 * with simulated nodes (apps-cluster.ts). The busybox commands of upstream's test Jobs (succeed,
 * failOnce, notTerminate, ...) are played by job-containers.ts against the pods the simulated nodes
 * run, writing each pod's end as the kubelet would; evictions and deletions are the API's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job, Pod } from '../api/kinds/index.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile } from './testing/apps-cluster.js';
import { WAIT, watchUntil } from './testing/deployment-waits.js';
import { newTestJob, playContainers, type Behaviour } from './testing/job-containers.js';

const cluster = appsClusterForFile('cf-job');
const jobs = (ns?: string) => cluster.client.resource<Job>(resources.jobs, ns);
const retrying = { ...WAIT, retryErrors: true };

const jobPods = async (ns: string, name: string) => (await cluster.client.pods<Pod>(ns).list({ labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;

/** e2ejob.CreateJob with the containers' behaviour played until the test ends. */
async function createJob(ns: string, job: Job, behaviour: Behaviour, t: { after(fn: () => Promise<void>): void }): Promise<Job> {
  const player = await playContainers(cluster.client, ns, job.metadata.name!, behaviour);
  t.after(() => player.stop());
  return jobs(ns).create(job);
}

/** WaitForJobPodsRunning. */
const podsRunning = (ns: string, name: string, n: number) =>
  eventually(async () => (await jobPods(ns, name)).filter((p) => p.status?.phase === 'Running').length === n, `${n} pods of job ${name} running`, WAIT);

const condition = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/** WaitForJobComplete: Complete (reason CompletionsReached) with `completions` succeeded. */
const complete = (ns: string, name: string, completions: number) => eventually(async () => {
  const j = await jobs(ns).get(name);
  const c = condition(j, 'Complete');
  return c?.reason === 'CompletionsReached' && j.status?.succeeded === completions && j;
}, `job ${name} complete`, WAIT);

/** WaitForJobFailed. */
const failed = (ns: string, name: string) => eventually(async () => {
  const j = await jobs(ns).get(name);
  return !!condition(j, 'Failed') && j;
}, `job ${name} failed`, WAIT);

/** NewTestJobOnNode: the pods go to one node (upstream: node affinity on its metadata.name). */
function onNode(job: Job): Job {
  job.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [cluster.nodes[0]!] }] }] } } };
  return job;
}

describe('[sig-apps] Job', { concurrency: true }, () => {
  it('[sig-apps] Job should allow to use the pod failure policy on exit code to fail the job early [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const job = onNode(newTestJob('pod-failure-failjob', 'Never', 2, 4, 6));
    job.spec!.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] } }] };
    await createJob(ns, job, 'failOnce', t);
    const j = await failed(ns, 'pod-failure-failjob');
    assert.equal(condition(j, 'Failed')?.reason, 'PodFailurePolicy', JSON.stringify(j.status?.conditions));
  });

  it('[sig-apps] Job should allow to use a pod failure policy to ignore failure matching on DisruptionTarget condition [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const name = 'evicted-pod-ignore-on-disruption-condition';
    const job = onNode(newTestJob(name, 'Never', 3, 3, 2));
    job.spec!.completionMode = 'Indexed';
    job.spec!.podFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
    await createJob(ns, job, 'notTerminateOncePerIndex', t);
    // WaitForJobReady(3)
    await eventually(async () => (await jobs(ns).get(name)).status?.ready === 3, 'all the pods ready', WAIT);
    const pods = (await jobPods(ns, name)).filter((p) => p.status?.phase === 'Running');
    assert.equal(pods.length, 3, "number of running pods doesn't match parallelism");
    await Promise.all(pods.map(async (p) => {
      await cluster.client.pods(ns).evict(p.metadata.name!);
      await eventually(() => cluster.client.pods(ns).get(p.metadata.name!).then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e))), `pod ${p.metadata.name} deleted`, WAIT);
    }));
    await complete(ns, name, 3);
  });

  it('[sig-apps] Job should apply changes to a job status [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const job = await createJob(ns, newTestJob('suspend-false-to-true', 'Never', 2, 4, 6), 'notTerminate', t);
    await podsRunning(ns, job.metadata.name!, 2);
    const now1 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString().replace('.000Z', 'Z');
    const patched = await jobs(ns).patch(job.metadata.name!, 'merge', { metadata: { annotations: { patchedstatus: 'true' } }, status: { conditions: [{ type: 'CustomConditionType', status: 'True', lastTransitionTime: now1 }] } }, { subresource: 'status' });
    const custom = (j: Job) => j.status?.conditions?.find((c) => c.type === 'CustomConditionType');
    assert.ok(custom(patched), 'patched object has the required condition');
    assert.equal(Date.parse(custom(patched)!.lastTransitionTime!), Date.parse(now1), 'the applied lastTransitionTime');
    assert.equal(patched.metadata.annotations?.patchedstatus, 'true', 'patched object should have the applied annotation');
    const now2 = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const updated = await eventually(async () => {
      const cur = await jobs(ns).get(job.metadata.name!);
      const c = custom(cur);
      assert.ok(c, 'the object has the required condition');
      c.lastTransitionTime = now2;
      return jobs(ns).updateStatus(cur);
    }, 'the status update', retrying);
    assert.equal(Date.parse(custom(updated)!.lastTransitionTime!), Date.parse(now2));
    const got = await cluster.client.raw<Job>('GET', `/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata.name}/status`);
    assert.equal(got.metadata.uid, job.metadata.uid);
  });

  it('[sig-apps] Job should create pods for an Indexed job with completion indexes and specified hostname [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const job = newTestJob('indexed-job', 'Never', 2, 4, 6);
    job.spec!.completionMode = 'Indexed';
    await createJob(ns, job, 'succeed', t);
    await complete(ns, 'indexed-job', 4);
    const indexes = new Set<number>();
    for (const p of await jobPods(ns, 'indexed-job')) {
      if (p.status?.phase !== 'Succeeded' || !p.metadata.annotations) continue;
      const ix = Number(p.metadata.annotations['batch.kubernetes.io/job-completion-index']);
      assert.ok(Number.isInteger(ix), `completion index of ${p.metadata.name}`);
      indexes.add(ix);
      assert.equal(p.spec?.hostname, `indexed-job-${ix}`, 'completed pod hostname');
    }
    assert.deepEqual([...indexes].sort(), [0, 1, 2, 3]);
  });

  it('[sig-apps] Job should delete a job [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    await createJob(ns, newTestJob('foo', 'Never', 2, 4, 6), 'notTerminate', t);
    await podsRunning(ns, 'foo', 2);
    // DeleteResourceAndWaitForGC: a background delete, then the pods collected.
    await jobs(ns).delete('foo', { propagationPolicy: 'Background' });
    await eventually(async () => (await jobPods(ns, 'foo')).length === 0, 'the job pods collected', WAIT);
    await assert.rejects(jobs(ns).get('foo'), (e: unknown) => isNotFound(e), 'the job was deleted');
  });

  it('[sig-apps] Job should adopt matching orphans and release non-matching pods [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const job = await createJob(ns, newTestJob('adopt-release', 'Never', 2, 4, 6), 'notTerminate', t);
    await podsRunning(ns, 'adopt-release', 2);
    const pods = await jobPods(ns, 'adopt-release');
    assert.equal(pods.length, 2);
    const name = pods[0]!.metadata.name!;
    const update = (change: (p: Pod) => void) => eventually(async () => {
      const p = await cluster.client.pods<Pod>(ns).get(name);
      change(p);
      return cluster.client.pods<Pod>(ns).update(p);
    }, `update of pod ${name}`, retrying);
    const controllerOf = async () => (await cluster.client.pods<Pod>(ns).get(name)).metadata.ownerReferences?.find((o) => o.controller);
    await update((p) => { p.metadata.ownerReferences = undefined; });
    await eventually(async () => {
      const ref = await controllerOf();
      if (!ref) return false;
      assert.deepEqual({ kind: ref.kind, name: ref.name, uid: ref.uid }, { kind: 'Job', name: 'adopt-release', uid: job.metadata.uid }, 'pod has the right controllerRef');
      return true;
    }, 'the pod readopted', WAIT);
    await update((p) => { p.metadata.labels = undefined; });
    await eventually(async () => !(await controllerOf()), 'the pod released', WAIT);
  });

  it('[sig-apps] Job should manage the lifecycle of a job [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    const name = `e2e-${Math.random().toString(36).slice(2, 7)}`;
    const selector = `e2e-job-label=${name}`;
    const list = await jobs(ns).list({ labelSelector: selector });
    const job = newTestJob(name, 'Never', 2, 4, 6);
    job.metadata.labels = { 'e2e-job-label': name };
    job.spec!.suspend = true;
    const created = await createJob(ns, job, 'succeed', t);
    assert.match(created.metadata.resourceVersion ?? '', /^\d+$/, 'a valid resource version');
    const patched = await jobs(ns).patch(name, 'strategic', { metadata: { labels: { [name]: 'patched' } } });
    assert.ok(BigInt(patched.metadata.resourceVersion!) > BigInt(created.metadata.resourceVersion!), 'patched object should have a larger resource version');
    await watchUntil(jobs(ns), { resourceVersion: list.metadata.resourceVersion, labelSelector: selector }, (ev) => ev.type === 'MODIFIED' && ev.object.metadata.labels?.[name] === 'patched', 'the Job patched');
    assert.equal(patched.metadata.labels?.[name], 'patched');
    const before = await jobs(ns).get(name);
    const updated = await eventually(async () => {
      const cur = await jobs(ns).get(name);
      cur.spec!.suspend = false;
      cur.metadata.annotations = { ...cur.metadata.annotations, updated: 'true' };
      return jobs(ns).update(cur);
    }, 'the job update', retrying);
    await watchUntil(jobs(ns), { resourceVersion: before.metadata.resourceVersion, labelSelector: selector }, (ev) => ev.type === 'MODIFIED' && ev.object.metadata.annotations?.updated === 'true', 'the Job updated');
    assert.equal(updated.metadata.annotations?.updated, 'true');
    const all = await jobs().list({ labelSelector: selector });
    assert.equal(all.items.length, 1, `found job ${name}`);
    await complete(ns, name, 4);
    await jobs(ns).deleteCollection({ labelSelector: selector }, { propagationPolicy: 'Background' });
    await watchUntil(jobs(ns), { resourceVersion: updated.metadata.resourceVersion, labelSelector: selector }, (ev) => ev.type === 'DELETED' && ev.object.metadata.name === name, 'the Job deleted');
    assert.equal((await jobs().list({ labelSelector: selector })).items.length, 0, `found job ${name}`);
  });

  it('[sig-apps] Job should run a job to completion when tasks sometimes fail and are locally restarted [Conformance]', async (t) => {
    const ns = await cluster.namespace();
    await createJob(ns, newTestJob('fail-once-local', 'OnFailure', 2, 4, 6), 'failOnce', t);
    await complete(ns, 'fail-once-local', 4);
  });
});
