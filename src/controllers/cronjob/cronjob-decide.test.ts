/**
 * decideCronJob table (as upstream's cronjob_controllerv2_test.go TestControllerV2SyncCronJob):
 * what a sync starts, skips, deletes and reports at a given time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob } from '../../api/kinds/batch/cron-job.js';
import type { Job } from '../../api/kinds/batch/job.js';
import { decideCronJob } from './cronjob-decide.js';
import { rfc3339In } from './schedule-times.js';

const T = (s: string) => Date.parse(`2026-03-01T${s}Z`);
const iso = (s: string) => `2026-03-01T${s}Z`;

function cron(spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}, created = '09:59:30'): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', creationTimestamp: iso(created) },
    spec: { schedule: '* * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec },
    status,
  } as CronJob;
}

function job(name: string, done?: 'Complete' | 'Failed', start = '10:00:00'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    spec: { template: {} },
    status: { startTime: iso(start), ...(done ? { conditions: [{ type: done, status: 'True' }], ...(done === 'Complete' ? { completionTime: iso('10:00:20') } : {}) } : {}) },
  } as Job;
}
const activeRef = (name: string) => ({ kind: 'Job', namespace: 'ns', name, uid: `uid-${name}`, apiVersion: 'batch/v1' });
const minutes = (s: string) => Math.floor(T(s) / 60_000);

test('a due schedule starts one Job named <cronjob>-<minutes>, records lastScheduleTime and requeues for the next minute', () => {
  const p = decideCronJob(cron(), [], T('10:01:05'));
  assert.deepEqual(p.create, { name: `tick-${minutes('10:01:00')}`, scheduled: T('10:01:00') });
  assert.equal(p.status.lastScheduleTime, iso('10:01:00'));
  assert.equal(p.requeueAfterMs, T('10:02:00') - T('10:01:05') + 100);
  // Already started for that time: nothing more.
  assert.equal(decideCronJob(cron({}, { lastScheduleTime: iso('10:01:00') }), [], T('10:01:30')).create, undefined);
});

test('after downtime only the most recent missed time starts; more than 100 misses is reported', () => {
  const p = decideCronJob(cron({}, { lastScheduleTime: iso('10:00:00') }), [], T('12:00:30'));
  assert.deepEqual(p.create?.scheduled, T('12:00:00'));
  assert.deepEqual(p.events.map((e) => e.reason), ['TooManyMissedTimes']);
  const few = decideCronJob(cron({}, { lastScheduleTime: iso('10:00:00') }), [], T('10:05:30'));
  assert.equal(few.create?.scheduled, T('10:05:00'));
  assert.deepEqual(few.events, []);
});

test('startingDeadlineSeconds: a time older than the deadline is not started', () => {
  assert.equal(decideCronJob(cron({ startingDeadlineSeconds: 10 }, { lastScheduleTime: iso('10:00:00') }), [], T('10:05:30')).create, undefined);
  assert.equal(decideCronJob(cron({ startingDeadlineSeconds: 10 }, { lastScheduleTime: iso('10:00:00') }), [], T('10:05:05')).create?.scheduled, T('10:05:00'));
  const hourly = decideCronJob(cron({ schedule: '0 * * * *', startingDeadlineSeconds: 3600 }, { lastScheduleTime: iso('08:00:00') }, '07:00:00'), [], T('10:30:00'));
  assert.equal(hourly.create?.scheduled, T('10:00:00'));
});

test('concurrencyPolicy: Allow runs beside, Forbid skips with JobAlreadyActive, Replace deletes the running Job', () => {
  const running = [job('tick-1')];
  const st = { active: [activeRef('tick-1')], lastScheduleTime: iso('10:00:00') };
  const allow = decideCronJob(cron({}, st), running, T('10:01:01'));
  assert.ok(allow.create);
  assert.equal(allow.status.active?.length, 1);
  const forbid = decideCronJob(cron({ concurrencyPolicy: 'Forbid' }, st), running, T('10:01:01'));
  assert.equal(forbid.create, undefined);
  assert.deepEqual(forbid.events.map((e) => [e.reason, e.message]), [['JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid']]);
  const replace = decideCronJob(cron({ concurrencyPolicy: 'Replace' }, st), running, T('10:01:01'));
  assert.deepEqual(replace.delete, [{ name: 'tick-1', reason: 'Replace' }]);
  assert.ok(replace.create);
  assert.equal(replace.status.active, undefined);
});

test('finished Jobs leave status.active (SawCompletedJob, lastSuccessfulTime); missing ones are reported; history is trimmed oldest first', () => {
  const jobs = [job('a', 'Complete', '09:00:00'), job('b', 'Complete', '09:10:00'), job('c', 'Complete', '09:20:00'), job('d', 'Complete', '09:30:00'), job('e', 'Failed', '09:40:00'), job('f', 'Failed', '09:50:00')];
  const p = decideCronJob(cron({ suspend: true }, { active: [activeRef('d'), activeRef('gone')] }), jobs, T('10:00:30'));
  assert.equal(p.status.active, undefined);
  assert.equal(p.status.lastSuccessfulTime, iso('10:00:20'));
  assert.deepEqual(p.events.map((e) => e.reason), ['SawCompletedJob', 'MissingJob']);
  assert.equal(p.events[0]!.message, 'Saw completed job: d, condition: Complete');
  assert.deepEqual(p.delete, [{ name: 'a', reason: 'History' }, { name: 'e', reason: 'History' }]);
  assert.equal(p.create, undefined, 'suspended');
});

test('timeZone: the schedule is read in the zone and the scheduled-timestamp annotation carries its offset', () => {
  const p = decideCronJob(cron({ schedule: '30 19 * * *', timeZone: 'Asia/Tokyo' }, {}, '09:00:00'), [], T('10:31:00'));
  assert.equal(p.create?.scheduled, T('10:30:00'));
  assert.equal(rfc3339In(p.create!.scheduled, 'Asia/Tokyo'), '2026-03-01T19:30:00+09:00');
  assert.equal(rfc3339In(T('10:30:00'), undefined), '2026-03-01T10:30:00Z');
  const bad = decideCronJob(cron({ timeZone: 'Nowhere/Land' }), [], T('10:31:00'));
  assert.deepEqual(bad.events.map((e) => e.reason), ['UnknownTimeZone']);
});

test('a running Job status.active does not list is reported (UnexpectedJob) but not adopted into it', () => {
  const p = decideCronJob(cron({}, { lastScheduleTime: iso('10:00:00') }), [job('stray')], T('10:00:30'));
  assert.deepEqual(p.events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'UnexpectedJob', 'Saw a job that the controller did not create or forgot: stray']]);
  assert.equal(p.status.active, undefined);
});

test('MissingJob is a Normal event, and only for an active Job the live read did not find either', () => {
  const st = { active: [activeRef('slow'), activeRef('gone')], lastScheduleTime: iso('10:00:00') };
  const p = decideCronJob(cron({}, st), [], T('10:00:30'), new Set(['uid-slow']));
  assert.deepEqual(p.events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'MissingJob', 'Active job went missing: gone']]);
  assert.deepEqual(p.status.active?.map((r) => r.name), ['slow']);
});

test('a legacy TZ= / CRON_TZ= schedule runs in its zone with an UnsupportedSchedule warning; a bad zone there is unparseable', () => {
  const p = decideCronJob(cron({ schedule: 'CRON_TZ=Asia/Tokyo 30 19 * * *' }, {}, '09:00:00'), [], T('10:31:00'));
  assert.equal(p.create?.scheduled, T('10:30:00'));
  assert.deepEqual(p.events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'UnsupportedSchedule', 'CRON_TZ or TZ used in schedule "CRON_TZ=Asia/Tokyo 30 19 * * *" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details']]);
  const bad = decideCronJob(cron({ schedule: 'TZ=Nowhere/Land * * * * *' }), [], T('10:31:00'));
  assert.deepEqual(bad.events.map((e) => [e.reason, e.message]).slice(1), [['UnparseableSchedule', 'unparseable schedule: "TZ=Nowhere/Land * * * * *" : provided bad location Nowhere/Land: unknown time zone Nowhere/Land']]);
});
