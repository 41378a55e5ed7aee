/**
 * The CronJob controller on an in-process API server with a FakeClock: a minutely CronJob starts
 * its Job only when the clock passes the minute, names it `<cronjob>-<minutes>`, tracks it in
 * status.active, notices it finish (SawCompletedJob, lastSuccessfulTime), starts the next one a
 * minute later and trims history to successfulJobsHistoryLimit — without waiting real minutes; its
 * own Jobs are never reported as UnexpectedJob.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob } from '../../api/kinds/batch/cron-job.js';
import type { Job } from '../../api/kinds/batch/job.js';
import { resources } from '../../client/resource-ref.js';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { addCronJobController, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob-controller.js';

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 50, retryErrors: true });

test('CronJob every minute on a fake clock: one Job per minute, completion noticed, history trimmed', async (t) => {
  const ns = `cj-${Math.random().toString(36).slice(2, 8)}`;
  const clock = new FakeClock(Date.now());
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: addCronJobController, managerOptions: { clock } });
  t.after(() => env.stop());
  const { client } = env;
  const cronJobs = client.resource<CronJob>(resources.cronjobs, ns);
  const jobs = client.resource<Job>(resources.jobs, ns);
  await cronJobs.create({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick' },
    spec: { schedule: '* * * * *', successfulJobsHistoryLimit: 1, jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  } as CronJob);
  // Before the minute passes on the controller's clock, nothing starts.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await jobs.list()).items.length, 0);

  clock.advance(61_000);
  const first = await eventually(async () => (await jobs.list()).items[0], 'the first Job');
  const minute = Math.floor((clock.now() - (clock.now() % 60_000)) / 60_000);
  assert.equal(first.metadata.name, `tick-${minute}`);
  assert.equal(first.metadata.labels?.team, 'a');
  assert.equal(first.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));
  assert.equal(first.metadata.ownerReferences?.[0]?.kind, 'CronJob');
  const cj = await eventually(async () => {
    const c = await cronJobs.get('tick');
    return c.status?.active?.length === 1 && c;
  }, 'status.active');
  assert.equal(cj.status?.active?.[0]?.name, first.metadata.name);
  assert.equal(cj.status?.lastScheduleTime, new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));

  // The Job finishes (as the Job controller would write it).
  const done = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  await jobs.updateStatus({ ...first, status: { startTime: done, completionTime: done, succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: done }] } });
  const after = await eventually(async () => {
    const c = await cronJobs.get('tick');
    return !c.status?.active && c.status?.lastSuccessfulTime ? c : undefined;
  }, 'active emptied');
  assert.equal(after.status?.lastSuccessfulTime, done);

  // A minute later the next Job starts and the first one, beyond the history limit of 1 once the
  // second also completes, is deleted.
  clock.advance(60_000);
  const second = await eventually(async () => (await jobs.list()).items.find((j) => j.metadata.name === `tick-${minute + 1}`), 'the second Job');
  await jobs.updateStatus({ ...second, status: { startTime: done, completionTime: done, succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: done }] } });
  await eventually(async () => {
    const names = (await jobs.list()).items.filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
    return names.length === 1 && names[0] === second.metadata.name;
  }, 'history trimmed to the newest Job');
  const events = (await client.events(ns).list()).items as unknown as { reason: string; message: string }[];
  assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${first.metadata.name}`));
  assert.ok(events.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${first.metadata.name}, condition: Complete`));
  assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${first.metadata.name}`));
  // The Job's own event wakes the sync right after the create, often before the status write that
  // lists it reaches the cache: that is not a Job the controller "forgot" (upstream re-reads the
  // CronJob before it says so).
  assert.deepEqual(events.filter((e) => e.reason === 'UnexpectedJob').map((e) => e.message), []);

  // A sync that created the next Job but lost its status write: the Job is reported, not adopted,
  // until its scheduled time, when the create's AlreadyExists puts it in status.active (upstream).
  const owner = await cronJobs.get('tick');
  const lost = `tick-${minute + 2}`;
  await jobs.create({
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: lost, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
    spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
  } as Job);
  await eventually(async () => ((await client.events(ns).list()).items as unknown as { reason: string; message: string }[])
    .some((e) => e.reason === 'UnexpectedJob' && e.message.endsWith(lost)), 'UnexpectedJob');
  assert.deepEqual((await cronJobs.get('tick')).status?.active, undefined);
  clock.advance(60_000);
  const relisted = await eventually(async () => {
    const c = await cronJobs.get('tick');
    return c.status?.active?.some((r) => r.name === lost) && c;
  }, 'the lost Job listed');
  assert.equal(relisted.status?.lastScheduleTime, new Date((minute + 2) * 60_000).toISOString().replace('.000Z', 'Z'));
  assert.deepEqual(relisted.status?.active?.map((r) => r.name), [lost]);
});
