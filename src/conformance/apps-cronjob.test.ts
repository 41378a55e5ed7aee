/**
 * Upstream's [sig-apps] CronJob conformance tests that wait for real schedules (test/e2e/apps/cronjob.go),
 * against apps-cluster.ts's control plane: the CronJob controller on the wall clock with upstream's
 * `*\/1 * * * ?` schedule, the Job controller making the pods, the simulated nodes running them.
 * Upstream's Jobs run `sleep 300`; a simulated node's pod runs until deleted, which is the same for
 * this file's two minutes. The four run concurrently, each in its own namespace: the file is about
 * 1.5-2.5 minutes of waiting for minute boundaries (how far the next one is when it starts), with
 * little CPU. ("should support CronJob API operations" is in api-operations.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CronJob, Job } from '../api/kinds/index.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { appsClusterForFile } from './testing/apps-cluster.js';

const cluster = appsClusterForFile('cf-cronjob');
const cronJobs = (ns: string) => cluster.client.resource(resources.cronjobs, ns);
const jobs = (ns: string) => cluster.client.resource(resources.jobs, ns);

// Upstream's cronJobTimeout is 5 minutes for any wait; every wait here is for at most two
// once-a-minute schedules after the CronJob was made, so 2.5 minutes say the same. framework.Poll: 2 s.
const CRON_WAIT = { timeoutMs: 150_000, intervalMs: 1000 };
const MINUTE = 60_000;
/** A margin past a scheduled time for the controller (which looks 100 ms after it) to have acted on it. */
const SCHEDULE_MARGIN_MS = 15_000;

/** newTestCronJob with upstream's sleepCommand ("sleep 300"), no history limits. */
function newTestCronJob(name: string, concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace'): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: {
      schedule: '*/1 * * * ?', concurrencyPolicy,
      jobTemplate: {
        spec: {
          parallelism: 1, completions: 1, backoffLimit: 1,
          template: {
            spec: {
              restartPolicy: 'OnFailure', volumes: [{ name: 'data', emptyDir: {} }],
              containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1', command: ['sleep', '300'], volumeMounts: [{ mountPath: '/data', name: 'data' }] }],
            },
          },
        },
      },
    },
  } as CronJob;
}

/** deleteCronJob: background propagation, so its Jobs and their pods go too. */
const deleteCronJob = (ns: string, name: string) => cronJobs(ns).delete(name, { propagationPolicy: 'Background' });

/** waitForActiveJobs: at least `n` Jobs in the CronJob's status.active. */
const waitForActiveJobs = (ns: string, name: string, n: number) =>
  eventually(async () => ((await cronJobs(ns).get(name)).status?.active?.length ?? 0) >= n, `${n} active jobs of cronjob ${ns}/${name}`, CRON_WAIT);

/** jobutil.IsJobFinished: a Complete or Failed condition is True. */
const isJobFinished = (j: Job) => !!j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

/** filterActiveJobs: the namespace's Jobs that have not finished. */
const activeJobs = async (ns: string) => (await jobs(ns).list()).items.filter((j) => !isJobFinished(j));

/** The first minute boundary after `ms`: when a `*\/1` schedule next comes. */
const nextMinute = (ms: number) => (Math.floor(ms / MINUTE) + 1) * MINUTE;

/** Checks `check` every second until `untilMs` (gomega's Consistently, polling as framework.Poll does). */
async function consistently(check: () => Promise<void>, untilMs: number): Promise<void> {
  for (;;) {
    await check();
    if (Date.now() >= untilMs) return;
    await new Promise((r) => setTimeout(r, Math.min(CRON_WAIT.intervalMs, untilMs - Date.now())));
  }
}

describe('[sig-apps] CronJob', { concurrency: true }, () => {
  it('[sig-apps] CronJob should schedule multiple jobs concurrently [Conformance]', async () => {
    const ns = await cluster.namespace();
    const cronJob = await cronJobs(ns).create(newTestCronJob('concurrent', 'Allow'));
    // Ensuring more than one job is running at a time
    await waitForActiveJobs(ns, cronJob.metadata.name!, 2);
    // Ensuring at least two running jobs exists by listing jobs explicitly
    const active = await activeJobs(ns);
    assert.ok(active.length >= 2, `active jobs: ${active.map((j) => j.metadata.name).join(', ')}`);
    await deleteCronJob(ns, cronJob.metadata.name!);
  });

  it('[sig-apps] CronJob should not schedule jobs when suspended [Slow] [Conformance]', async () => {
    const ns = await cluster.namespace();
    const created = Date.now();
    const suspended = newTestCronJob('suspended', 'Allow');
    suspended.spec!.suspend = true;
    const cronJob = await cronJobs(ns).create(suspended);
    // Ensuring no jobs are scheduled. Upstream holds this for cronJobTimeout (5 minutes); the first
    // scheduled time after the create is the one a suspended CronJob must skip, so the observation
    // ends a margin past it (15-75 s after the create): later ones are the same decision again.
    await consistently(async () => {
      const cj = await cronJobs(ns).get(cronJob.metadata.name!);
      assert.deepEqual(cj.status?.active ?? [], [], 'a suspended cronjob has no active jobs');
    }, nextMinute(created) + SCHEDULE_MARGIN_MS);
    // Ensuring no job exists by listing jobs explicitly
    assert.deepEqual((await jobs(ns).list()).items.map((j) => j.metadata.name), []);
    await deleteCronJob(ns, cronJob.metadata.name!);
  });

  it('[sig-apps] CronJob should not schedule new jobs when ForbidConcurrent [Slow] [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = (await cronJobs(ns).create(newTestCronJob('forbid', 'Forbid'))).metadata.name!;
    // Ensuring a job is scheduled
    await waitForActiveJobs(ns, name, 1);
    const seen = Date.now();
    // Ensuring exactly one is scheduled
    assert.equal((await cronJobs(ns).get(name)).status?.active?.length, 1);
    // Ensuring exactly one running job exists by listing jobs explicitly
    assert.equal((await activeJobs(ns)).length, 1);
    // Ensuring no more jobs are scheduled. Upstream v1.32 polls for fewer than 2 active jobs for up
    // to cronJobTimeout, which its first poll satisfies; earlier releases waited the 5 minutes for a
    // second one and expected none. What matters is the next scheduled time, while the first Job
    // still runs: watched until a margin past it (about 75 s after the first Job was seen).
    const noSecond = async () => {
      const n = (await cronJobs(ns).get(name)).status?.active?.length ?? 0;
      assert.ok(n < 2, `unexpected active job number: ${n}`);
    };
    await consistently(noSecond, nextMinute(seen) + SCHEDULE_MARGIN_MS);
    // Not upstream's: the witness that the controller did reach that schedule and refused it (its
    // JobAlreadyActive event), so a controller running late cannot pass the check above unseen.
    await eventually(async () => (await cluster.client.resource(resources.events, ns).list()).items
      .some((e) => e.involvedObject?.name === name && e.reason === 'JobAlreadyActive'), 'the JobAlreadyActive event', CRON_WAIT);
    await noSecond();
    assert.equal((await jobs(ns).list()).items.length, 1, 'one job made');
    await deleteCronJob(ns, name);
  });

  it('[sig-apps] CronJob should replace jobs when ReplaceConcurrent [Conformance]', async () => {
    const ns = await cluster.namespace();
    const name = (await cronJobs(ns).create(newTestCronJob('replace', 'Replace'))).metadata.name!;
    // Ensuring a job is scheduled
    await waitForActiveJobs(ns, name, 1);
    // Ensuring exactly one is scheduled
    assert.equal((await cronJobs(ns).get(name)).status?.active?.length, 1);
    // Ensuring exactly one running job exists by listing jobs explicitly
    const listed = (await jobs(ns).list()).items;
    assert.equal(listed.filter((j) => !isJobFinished(j)).length, 1);
    // Ensuring the job is replaced with a new one (waitForJobReplaced: Jobs pending deletion aside,
    // never more than one, and eventually one of another name)
    const previous = listed[0]!.metadata.name!;
    await eventually(async () => {
      const alive = (await jobs(ns).list()).items.filter((j) => !j.metadata.deletionTimestamp);
      assert.ok(alive.length <= 1, `more than one job is running: ${alive.map((j) => j.metadata.name).join(', ')}`);
      return alive.length === 1 && alive[0]!.metadata.name !== previous;
    }, `job ${previous} replaced`, CRON_WAIT);
    await deleteCronJob(ns, name);
  });
});
