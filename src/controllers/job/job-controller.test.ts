/**
 * The Job controller against an in-process API server (no kubelet: the test moves pods to
 * Succeeded/Failed through pods/status, as a node would). Shows finalizer-based tracking, the
 * interim then terminal conditions, Indexed pods, and that a controller restart in the middle of a
 * Job neither loses nor double-counts a completion (as upstream's job_controller_test.go
 * TestTrackJobStatusAndRemoveFinalizers / test/integration/job "restart" cases).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { Manager } from '../../controller-runtime/manager.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { addJobController } from './job-controller.js';
import { JOB_TRACKING_FINALIZER } from './job-pods.js';
import type { Job } from './job-types.js';

const eventually = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50, retryErrors: true });

const jobsOf = (client: KubeClient, ns: string) => client.resource<Job>(resources.jobs, ns);

function job(name: string, spec: Partial<Job['spec']>): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } }, ...spec },
  };
}

const podsOf = async (client: KubeClient, ns: string, name: string) =>
  (await client.pods<Pod>(ns).list({ labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;

/** What a node reports when the container exits with `code`. */
async function finish(client: KubeClient, ns: string, pod: string, code: number): Promise<void> {
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.pods<Pod>(ns).patchStatus(pod, 'merge', {
    status: {
      phase: code === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: at, finishedAt: at } } }],
    },
  });
}

/** Watch every pod ever created in `ns`. */
async function recordCreated(client: KubeClient, ns: string, t: { after(fn: () => Promise<void>): void }): Promise<Set<string>> {
  const created = new Set<string>();
  const watch = await client.pods<Pod>(ns).watch({ resourceVersion: '0' });
  const pump = (async () => {
    for await (const ev of watch) if (ev.type === 'ADDED') created.add(ev.object.metadata.name!);
  })();
  t.after(async () => {
    watch.stop();
    await pump.catch(() => undefined);
  });
  return created;
}

test('Job: pods carry the tracking finalizer, completions are counted once, then SuccessCriteriaMet and Complete', async (t) => {
  const ns = `job-a-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: (mgr) => addJobController(mgr, { syncBatchMs: 50 }) });
  t.after(() => env.stop());
  const { client } = env;
  const created = await recordCreated(client, ns, t);
  const j = await jobsOf(client, ns).create(job('calc', { completions: 3, parallelism: 2 }));
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': j.metadata.uid } });

  for (let done = 0; done < 3; done++) {
    const running = await eventually(async () => {
      const ps = (await podsOf(client, ns, 'calc')).filter((p) => !p.status?.phase?.match(/Succeeded|Failed/));
      return ps.length === Math.min(2, 3 - done) && ps;
    }, `${Math.min(2, 3 - done)} running pods`);
    for (const p of running) assert.ok(p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER), 'pod has the tracking finalizer');
    await finish(client, ns, running[0]!.metadata.name!, 0);
    await eventually(async () => (await jobsOf(client, ns).get('calc')).status?.succeeded === done + 1, `${done + 1} succeeded`);
  }
  const final = await eventually(async () => {
    const s = (await jobsOf(client, ns).get('calc')).status;
    return s?.conditions?.some((c) => c.type === 'Complete') && s;
  }, 'Complete');
  assert.deepEqual(final.conditions?.map((c) => [c.type, c.status, c.reason]), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal(final.succeeded, 3);
  assert.equal(final.failed, undefined);
  assert.equal(final.active, 0);
  assert.ok(final.completionTime && final.startTime);
  assert.deepEqual(final.uncountedTerminatedPods, {});
  const pods = await podsOf(client, ns, 'calc');
  assert.equal(pods.length, 3);
  assert.ok(pods.every((p) => !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)), 'every counted pod lost the finalizer');
  assert.equal(created.size, 3, `exactly 3 pods were ever created (${[...created].join(', ')})`);

  // A Job another controller manages (spec.managedBy) is left alone: by the time a Job created after
  // it has its pod, it has neither pods nor status.
  await jobsOf(client, ns).create(job('elsewhere', { managedBy: 'kueue.x-k8s.io/multikueue' }));
  await jobsOf(client, ns).create(job('here', {}));
  await eventually(async () => (await podsOf(client, ns, 'here')).length === 1, 'the pod of the Job managed here');
  assert.deepEqual(await podsOf(client, ns, 'elsewhere'), []);
  assert.deepEqual((await jobsOf(client, ns).get('elsewhere')).status ?? {}, {});
});

test('Job: Indexed pods get their index (annotation, label, env, hostname) and completedIndexes is compressed', async (t) => {
  const ns = `job-b-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: (mgr) => addJobController(mgr, { syncBatchMs: 50 }) });
  t.after(() => env.stop());
  const { client } = env;
  await jobsOf(client, ns).create(job('idx', { completions: 5, parallelism: 5, completionMode: 'Indexed' }));
  const pods = await eventually(async () => {
    const ps = await podsOf(client, ns, 'idx');
    return ps.length === 5 && ps;
  }, '5 pods');
  const byIndex = new Map(pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p] as const));
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2', '3', '4']);
  const p3 = byIndex.get('3')!;
  assert.match(p3.metadata.name!, /^idx-3-[a-z0-9]{5}$/);
  assert.equal(p3.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(p3.spec?.hostname, 'idx-3');
  assert.deepEqual(p3.spec?.containers[0]!.env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  for (const ix of ['0', '1', '2', '4']) await finish(client, ns, byIndex.get(ix)!.metadata.name!, 0);
  await eventually(async () => (await jobsOf(client, ns).get('idx')).status?.completedIndexes === '0-2,4', 'completedIndexes 0-2,4');
  await finish(client, ns, p3.metadata.name!, 0);
  const s = await eventually(async () => {
    const st = (await jobsOf(client, ns).get('idx')).status;
    return st?.conditions?.some((c) => c.type === 'Complete') && st;
  }, 'Complete');
  assert.equal(s.completedIndexes, '0-4');
  assert.equal(s.succeeded, 5);
});

test('Job: a controller restart with pods finishing while it is down, and a crash between recording and counting, loses and duplicates nothing', async (t) => {
  const ns = `job-c-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: (mgr) => addJobController(mgr, { syncBatchMs: 50 }) });
  t.after(() => env.stop());
  const { client } = env;
  const created = await recordCreated(client, ns, t);
  await jobsOf(client, ns).create(job('restart', { completions: 6, parallelism: 3 }));
  const first = await eventually(async () => {
    const ps = await podsOf(client, ns, 'restart');
    return ps.length === 3 && ps;
  }, '3 pods');
  // The manager stops; two pods succeed and one fails while nobody is counting.
  await env.mgr.stop();
  await finish(client, ns, first[0]!.metadata.name!, 0);
  await finish(client, ns, first[1]!.metadata.name!, 0);
  await finish(client, ns, first[2]!.metadata.name!, 1);
  // As if a controller had crashed right after recording one success in uncountedTerminatedPods.
  const j = await jobsOf(client, ns).get('restart');
  await jobsOf(client, ns).updateStatus({ ...j, status: { ...j.status, uncountedTerminatedPods: { succeeded: [first[0]!.metadata.uid!] } } });

  const mgr2 = new Manager({ client, logger: quietLogger });
  addJobController(mgr2, { podFailureBackoffMs: 100, syncBatchMs: 50 });
  await mgr2.start();
  t.after(() => mgr2.stop());
  await eventually(async () => {
    const s = (await jobsOf(client, ns).get('restart')).status;
    return s?.succeeded === 2 && s.failed === 1 && !s.uncountedTerminatedPods?.succeeded && s;
  }, 'counts 2 succeeded, 1 failed after restart');
  // Finish the rest: the Job completes with exactly 6 successes and one failure.
  const s = await eventually(async () => {
    const st = (await jobsOf(client, ns).get('restart')).status;
    if (st?.conditions?.some((c) => c.type === 'Complete')) return st;
    const running = (await podsOf(client, ns, 'restart')).filter((p) => !p.status?.phase?.match(/Succeeded|Failed/));
    if (running.length > 0) await finish(client, ns, running[0]!.metadata.name!, 0);
    return undefined;
  }, 'Complete');
  assert.equal(s.succeeded, 6);
  assert.equal(s.failed, 1);
  assert.equal(created.size, 7, 'six successes and one replaced failure: 7 pods');
});
