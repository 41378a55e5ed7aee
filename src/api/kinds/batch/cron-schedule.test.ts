/**
 * Cron schedules against upstream's cases (github.com/robfig/cron/v3 spec_test.go TestNext and
 * parser_test.go, in their five-field standard form) and CronJob validation messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobs, type CronJob } from './cron-job.js';
import { parseCronSchedule, parseStandardSchedule } from './cron-schedule.js';

const utc = (s: string) => Date.parse(`${s}Z`);

test('next activation: steps, ranges, names, month wrap, leap day, descriptors (robfig TestNext)', () => {
  const cases: [string, string, string][] = [
    ['2012-07-09T14:45:00', '0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T14:59:00', '0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T14:59:59', '0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T15:00:00', '0/15 * * * *', '2012-07-09T15:15:00'],
    ['2012-07-09T23:46:00', '*/15 * * * *', '2012-07-10T00:00:00'],
    ['2012-07-09T23:45:00', '20-35/15 * * * *', '2012-07-10T00:20:00'],
    ['2012-07-09T23:35:00', '0 0 9 Apr-Oct ?', '2012-08-09T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 * Jul,Aug,Oct Mon', '2012-07-16T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 1 Jan ?', '2013-01-01T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 29 Feb ?', '2016-02-29T00:00:00'],
    ['2012-12-31T23:59:45', '0 * * * *', '2013-01-01T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 31 Apr ?', ''],
    // Day-of-month and day-of-week are ORed when neither is a star: the 1st, 15th and every Monday.
    ['2024-01-02T00:00:00', '0 0 1,15 * 1', '2024-01-08T00:00:00'],
    ['2024-01-09T00:00:00', '0 0 1,15 * 1', '2024-01-15T00:00:00'],
    // ...and ANDed when one is a star.
    ['2024-01-02T00:00:00', '0 0 * * fri', '2024-01-05T00:00:00'],
    ['2024-01-02T00:00:00', '@hourly', '2024-01-02T01:00:00'],
    ['2024-01-02T00:00:00', '@daily', '2024-01-03T00:00:00'],
    ['2024-01-02T00:00:00', '@weekly', '2024-01-07T00:00:00'],
    ['2024-01-02T00:00:00', '@monthly', '2024-02-01T00:00:00'],
    ['2024-01-02T00:00:00', '@yearly', '2025-01-01T00:00:00'],
    ['2024-01-02T00:00:00', '@every 90s', '2024-01-02T00:01:30'],
  ];
  for (const [from, spec, want] of cases) {
    const got = parseCronSchedule(spec).next(utc(from));
    assert.equal(got === undefined ? '' : new Date(got).toISOString().replace('.000Z', ''), want, `${spec} after ${from}`);
  }
});

test('time zones: wall-clock times in the zone; a time in the DST gap is skipped to the next year (robfig DST cases)', () => {
  const tokyo = parseCronSchedule('0 9 * * *', 'Asia/Tokyo');
  assert.equal(new Date(tokyo.next(utc('2024-01-01T00:30:00'))!).toISOString(), '2024-01-02T00:00:00.000Z');
  // 02:30 on 11 March 2012 does not exist in New York.
  const ny = parseCronSchedule('30 2 11 Mar ?', 'America/New_York');
  assert.equal(new Date(ny.next(utc('2012-03-11T05:00:00'))!).toISOString(), '2013-03-11T06:30:00.000Z');
  // The repeated hour of November: the first 01:30 (EDT) is used.
  const fall = parseCronSchedule('30 1 4 Nov ?', 'America/New_York');
  assert.equal(new Date(fall.next(utc('2012-11-04T00:00:00'))!).toISOString(), '2012-11-04T05:30:00.000Z');
});

test('parse errors are robfig\'s (parser_test TestParseScheduleErrors) and CronJob validation returns them on spec.schedule', () => {
  const errs: [string, RegExp][] = [
    ['5 j * * *', /^failed to parse int from j/],
    ['@every Xm', /^failed to parse duration @every Xm/],
    ['@unrecognized', /^unrecognized descriptor: @unrecognized$/],
    ['* * * *', /^expected exactly 5 fields, found 4: \[\* \* \* \*\]$/],
    ['', /^empty spec string$/],
    ['60 * * * *', /^end of range \(60\) above maximum \(59\): 60$/],
    ['* * * * 7', /^end of range \(7\) above maximum \(6\): 7$/],
    ['5-1 * * * *', /^beginning of range \(5\) beyond end of range \(1\): 5-1$/],
    ['*/0 * * * *', /^step of range should be a positive number: \*\/0$/],
  ];
  for (const [spec, re] of errs) assert.throws(() => parseCronSchedule(spec), { message: re }, spec);

  const cj = (schedule: string, timeZone?: string): CronJob => {
    const obj = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x', namespace: 'default' },
      spec: { schedule, ...(timeZone !== undefined ? { timeZone } : {}), jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    } as CronJob;
    cronJobs.applyDefaults(obj);
    return obj;
  };
  assert.deepEqual(cronJobs.validate(cj('*/1 * * * *')), []);
  assert.deepEqual(cronJobs.validate(cj('60 * * * *')).map((e) => [e.field, e.detail]), [['spec.schedule', 'Invalid value: "60 * * * *": end of range (60) above maximum (59): 60']]);
  assert.deepEqual(cronJobs.validate(cj('CRON_TZ=UTC * * * * *')).map((e) => e.detail), ['Invalid value: "CRON_TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(cronJobs.validate(cj('* * * * *', 'Mars/Olympus')).map((e) => [e.field, e.detail]), [['spec.timeZone', 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']]);
  assert.deepEqual(cronJobs.validate(cj('* * * * *', 'Local')).map((e) => e.field), ['spec.timeZone']);
  // validateScheduleFormat parses first (a TZ= prefix too) and then refuses the TZ: both errors.
  assert.deepEqual(cronJobs.validate(cj('TZ=Mars/Olympus * * * * *')).map((e) => e.detail), [
    'Invalid value: "TZ=Mars/Olympus * * * * *": provided bad location Mars/Olympus: unknown time zone Mars/Olympus',
    'Invalid value: "TZ=Mars/Olympus * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  // A legacy CronJob whose stored schedule has a TZ may keep it on update (AllowTZInSchedule), not beside timeZone.
  const legacy = cj('CRON_TZ=Asia/Tokyo 0 9 * * *');
  assert.deepEqual(cronJobs.validate({ ...legacy, spec: { ...legacy.spec!, suspend: true } }, legacy), []);
  assert.deepEqual(cronJobs.validate(cj('CRON_TZ=Asia/Tokyo 0 9 * * *', 'UTC'), legacy).map((e) => e.detail), ['Invalid value: "CRON_TZ=Asia/Tokyo 0 9 * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
  assert.equal(parseStandardSchedule('CRON_TZ=Asia/Tokyo 0 9 * * *').next(Date.parse('2026-02-28T23:00:00Z')), Date.parse('2026-03-01T00:00:00Z'), '09:00 in Tokyo');
  const d = cj('@hourly');
  assert.deepEqual([d.spec?.concurrencyPolicy, d.spec?.suspend, d.spec?.successfulJobsHistoryLimit, d.spec?.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
});
