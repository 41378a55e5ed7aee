/**
 * decideJob and its parts as a table, without I/O (as upstream's job_controller_test.go
 * TestSyncJobPastDeadline, TestJobPodFailurePolicy, TestTrackJobStatusAndRemoveFinalizers,
 * TestSyncJobWithJobBackoffLimitPerIndex and pod_failure_policy_test.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/kinds/core/pod.js';
import { decideJob, type JobSyncInput } from './job-decide.js';
import { flushUncounted, remainingBackoffMs } from './job-counting.js';
import { JOB_TRACKING_FINALIZER } from './job-pods.js';
import { podForJob } from './pod-for-job.js';
import type { Job } from './job-types.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function job(spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns', uid: 'job-uid' },
    spec: { completions: 3, parallelism: 2, backoffLimit: 6, completionMode: 'NonIndexed', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x' }] } }, ...spec },
    status,
  };
}

let n = 0;
function pod(phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed', o: { exit?: number; index?: number; finalizer?: boolean; deleting?: boolean; conditions?: { type: string; status: string }[] } = {}): Pod {
  n++;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `j-${n}`, namespace: 'ns', uid: `uid-${n}`, creationTimestamp: iso(NOW - 60_000 + n),
      ...(o.finalizer === false ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(o.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(o.index) } } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x' }] },
    status: {
      phase, ...(o.conditions ? { conditions: o.conditions } : {}),
      ...(o.exit !== undefined ? { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: o.exit, finishedAt: iso(NOW - 1000) } } }] } : {}),
    },
  };
}

const input = (j: Job, pods: Pod[], extra: Partial<JobSyncInput> = {}): JobSyncInput =>
  ({ job: j, pods, now: NOW, finalizerPending: new Set(), backoff: { failuresAfterLastSuccess: 0 }, expectationsSatisfied: true, ...extra });

test('a new Job starts: startTime set, parallelism pods planned', () => {
  const p = decideJob(input(job(), []));
  assert.equal(p.create.length, 2);
  assert.equal(p.status.startTime, iso(NOW));
  assert.equal(p.status.active, 0);
});

test('terminated pods are recorded before they are counted (uncounted first, finalizers removed, then flushed)', () => {
  const ok = pod('Succeeded', { exit: 0 });
  const bad = pod('Failed', { exit: 1 });
  const run = pod('Running');
  const p = decideJob(input(job(), [ok, bad, run]));
  assert.deepEqual(p.status.uncountedTerminatedPods, { succeeded: [ok.metadata.uid], failed: [bad.metadata.uid] });
  assert.equal(p.status.succeeded, undefined, 'not counted yet');
  assert.deepEqual(p.finalizersToRemove.map((x) => x.metadata.uid).sort(), [ok.metadata.uid, bad.metadata.uid].sort());
  const flushed = flushUncounted(p.status, new Set([ok.metadata.uid!, bad.metadata.uid!]));
  assert.deepEqual([flushed.succeeded, flushed.failed, flushed.uncountedTerminatedPods], [1, 1, {}]);
  // A pod already recorded is not recorded twice; one whose finalizer removal is in flight is left alone.
  const again = decideJob(input(job({}, p.status), [ok, bad, run], { finalizerPending: new Set([bad.metadata.uid!]) }));
  assert.deepEqual(again.status.uncountedTerminatedPods, { succeeded: [ok.metadata.uid], failed: [bad.metadata.uid] });
  assert.deepEqual(again.finalizersToRemove.map((x) => x.metadata.uid), [ok.metadata.uid]);
});

test('backoffLimit: one failure past the limit sets FailureTarget, deletes running pods, then Failed once none is left', () => {
  const j = job({ backoffLimit: 1 }, { failed: 1, startTime: iso(NOW - 5000) });
  const run = pod('Running');
  const p = decideJob(input(j, [pod('Failed', { exit: 1 }), run]));
  assert.deepEqual(p.status.conditions?.map((c) => [c.type, c.reason, c.message]), [['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
  assert.deepEqual(p.delete, [run]);
  assert.equal(p.terminal, undefined, 'not Failed while a pod still runs');
  // The Job is finishing: the running pod counts as failed now and is released (canRemoveFinalizer).
  assert.equal(p.status.uncountedTerminatedPods?.failed?.length, 2);
  assert.ok(p.status.uncountedTerminatedPods?.failed?.includes(run.metadata.uid!));
  assert.ok(p.finalizersToRemove.includes(run));
  const later = decideJob(input(job({ backoffLimit: 1 }, { ...p.status, failed: 2, uncountedTerminatedPods: {} }), []));
  assert.deepEqual([later.terminal?.type, later.terminal?.reason], ['Failed', 'BackoffLimitExceeded']);
});

test('activeDeadlineSeconds: DeadlineExceeded once passed, otherwise a requeue at the deadline', () => {
  const past = decideJob(input(job({ activeDeadlineSeconds: 10 }, { startTime: iso(NOW - 11_000) }), [pod('Running')]));
  assert.equal(past.status.conditions?.[0]?.reason, 'DeadlineExceeded');
  const before = decideJob(input(job({ activeDeadlineSeconds: 10 }, { startTime: iso(NOW - 4000) }), [pod('Running'), pod('Running')]));
  assert.equal(before.requeueAfterMs, 6000);
});

test('podFailurePolicy: FailJob on an exit code, Ignore leaves the failure uncounted, conditions match with status True by default', () => {
  const spec: Partial<Job['spec']> = { podFailurePolicy: { rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ] }, podReplacementPolicy: 'Failed' };
  const j = job(spec);
  const p42 = pod('Failed', { exit: 42 });
  assert.deepEqual(matchPodFailurePolicy(j.spec, p42), { action: 'FailJob', message: `Container main for pod ns/${p42.metadata.name} failed with exit code 42 matching FailJob rule at index 1` });
  const evicted = pod('Failed', { exit: 137, conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  assert.equal(matchPodFailurePolicy(j.spec, evicted)?.action, 'Ignore');
  assert.equal(matchPodFailurePolicy(j.spec, pod('Failed', { exit: 1 })), undefined, 'no rule: default handling');
  assert.equal(matchPodFailurePolicy(j.spec, pod('Failed', { exit: 0 })), undefined, 'exit 0 is never matched');

  const failJob = decideJob(input(j, [p42]));
  assert.deepEqual(failJob.status.conditions?.map((c) => [c.type, c.reason]), [['FailureTarget', 'PodFailurePolicy']]);
  assert.equal(failJob.terminal?.type, 'Failed');
  // Replaced once the pod back-off (which upstream's newBackoffRecord applies to every failed pod) is over.
  const ignored = decideJob(input(j, [evicted], { backoffBaseMs: 500 }));
  assert.equal(ignored.status.uncountedTerminatedPods?.failed, undefined, 'an ignored failure is not counted');
  assert.deepEqual(ignored.finalizersToRemove, [evicted], 'but it is released');
  assert.equal(ignored.create.length, 2, 'and replaced');
});

test('pod failure back-off: 10 s doubling per failure since the last success, capped at 10 minutes', () => {
  assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 1, lastFailureTime: NOW }, NOW), 10_000);
  assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 3, lastFailureTime: NOW }, NOW + 5000), 35_000);
  assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 20, lastFailureTime: NOW }, NOW), 600_000);
  const p = decideJob(input(job(), [pod('Failed', { exit: 1 })]));
  assert.deepEqual(p.create, [], 'no replacement during the back-off');
  assert.equal(p.requeueAfterMs, 9000, 'the failure finished 1 s ago');
  assert.equal(p.backoff.failuresAfterLastSuccess, 1);
});

test('suspend deletes running pods and sets Suspended, keeps startTime without a deadline; resuming resets startTime', () => {
  const run = pod('Running');
  const s = decideJob(input(job({ suspend: true, activeDeadlineSeconds: 5 }, { startTime: iso(NOW - 9000) }), [run]));
  assert.deepEqual(s.delete, [run]);
  // Upstream syncJob never clears startTime (only an external caller may, while suspended).
  assert.equal(s.status.startTime, iso(NOW - 9000));
  assert.deepEqual(s.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [['Suspended', 'True', 'JobSuspended', 'Job suspended']]);
  assert.equal(s.requeueAfterMs, undefined, 'no deadline runs while suspended');
  const r = decideJob(input(job({ suspend: false, activeDeadlineSeconds: 5 }, s.status), []));
  assert.deepEqual(r.status.conditions?.map((c) => [c.type, c.status, c.reason]), [['Suspended', 'False', 'JobResumed']]);
  assert.equal(r.status.startTime, iso(NOW));
  assert.equal(r.create.length, 2);
  assert.equal(r.status.conditions?.some((c) => c.type === 'FailureTarget'), false, 'the deadline counts from the resume');
});

test('Indexed: lowest missing indexes are created, duplicates deleted, completedIndexes compressed; successPolicy ends early', () => {
  const spec: Partial<Job['spec']> = { completionMode: 'Indexed', completions: 6, parallelism: 3 };
  const dupA = pod('Running', { index: 1 });
  const dupB = pod('Pending', { index: 1 });
  const p = decideJob(input(job(spec), [pod('Succeeded', { index: 0 }), dupA, dupB, pod('Succeeded', { index: 2 })]));
  assert.equal(p.status.completedIndexes, '0,2');
  assert.equal(p.status.succeeded, 2);
  assert.deepEqual(p.delete, [dupB], 'the pending duplicate of index 1 goes');
  assert.deepEqual(p.create, [], 'a sync that deletes creates nothing (manageJob)');
  const next = decideJob(input(job(spec, p.status), [pod('Succeeded', { index: 0 }), dupA, pod('Succeeded', { index: 2 })]));
  assert.deepEqual(next.create, [{ index: 3 }, { index: 4 }]);
  assert.equal(formatIndexes([7, 1, 3, 4, 5]), '1,3-5,7');
  assert.deepEqual([...parseIndexes('1,3-5,7')], [1, 3, 4, 5, 7]);
  const sp = decideJob(input(job({ ...spec, successPolicy: { rules: [{ succeededIndexes: '0,2' }] } }), [pod('Succeeded', { index: 0 }), pod('Succeeded', { index: 2 }), pod('Running', { index: 1 })]));
  assert.deepEqual(sp.status.conditions?.map((c) => [c.type, c.reason, c.message]), [['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0']]);
  assert.equal(sp.delete.length, 1, 'lingering pods are removed');
});

test('backoffLimitPerIndex: an index failing past its limit is failed, the Job fails with FailedIndexes when every index is settled', () => {
  const spec: Partial<Job['spec']> = { completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 0, backoffLimit: 2147483647 };
  const p = decideJob(input(job(spec), [pod('Failed', { index: 0, exit: 1 }), pod('Succeeded', { index: 1 })]));
  assert.equal(p.status.failedIndexes, '0');
  assert.equal(p.status.completedIndexes, '1');
  assert.deepEqual(p.status.conditions?.map((c) => [c.type, c.reason]), [['FailureTarget', 'FailedIndexes']]);
});

test('a finished Job only releases finalizers', () => {
  const left = pod('Failed', { exit: 1 });
  const p = decideJob(input(job({}, { conditions: [{ type: 'Complete', status: 'True' }] }), [left]));
  assert.deepEqual(p.finalizersToRemove, [left]);
  assert.deepEqual([p.create, p.delete], [[], []]);
});

test('podFailurePolicy FailJob: a failed pod counted before (no finalizer left) still fails the Job (getFailJobMessage)', () => {
  const spec: Partial<Job['spec']> = { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } };
  const counted = pod('Failed', { exit: 42, finalizer: false });
  const p = decideJob(input(job(spec, { failed: 1, startTime: iso(NOW - 5000) }), [counted, pod('Running')]));
  assert.deepEqual(p.status.conditions?.map((c) => [c.type, c.reason, c.message]), [['FailureTarget', 'PodFailurePolicy', `Container main for pod ns/${counted.metadata.name} failed with exit code 42 matching FailJob rule at index 0`]]);
});

const COUNT = 'batch.kubernetes.io/job-index-failure-count';
const IGNORED = 'batch.kubernetes.io/job-index-ignored-failure-count';
const annotate = (p: Pod, count: number, ignored?: number): Pod => {
  Object.assign(p.metadata.annotations!, { [COUNT]: String(count) }, ignored !== undefined ? { [IGNORED]: String(ignored) } : {});
  return p;
};

test('backoffLimitPerIndex with an Ignore rule: an ignored failure goes to the ignored count, never to the index failure count', () => {
  const spec: Partial<Job['spec']> = {
    completionMode: 'Indexed', completions: 2, parallelism: 1, backoffLimitPerIndex: 1, backoffLimit: 2147483647,
    podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
  };
  const evicted = annotate(pod('Failed', { index: 0, exit: 137, conditions: [{ type: 'DisruptionTarget', status: 'True' }] }), 0);
  const p = decideJob(input(job(spec), [evicted], { now: NOW + 60_000 }));
  assert.deepEqual(p.create.map((c) => [c.index, c.indexFailures, c.indexIgnoredFailures]), [[0, 0, 1]]);
  const made = podForJob(job(spec), { apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid' }, p.create[0]!);
  assert.deepEqual([made.metadata.annotations?.[COUNT], made.metadata.annotations?.[IGNORED]], ['0', '1']);
  // Its replacement fails for real: the first counted failure, within backoffLimitPerIndex 1.
  const real = annotate(pod('Failed', { index: 0, exit: 1 }), 0, 1);
  const q = decideJob(input(job(spec, p.status), [evicted, real], { now: NOW + 60_000 }));
  assert.equal(q.status.failedIndexes, '', 'index 0 has failed once, not twice');
  assert.deepEqual(q.create.map((c) => [c.index, c.indexFailures, c.indexIgnoredFailures]), [[0, 1, 1]]);
});

test('backoffLimitPerIndex: each index backs off on its own failures; indexes that are due are created meanwhile', () => {
  const spec: Partial<Job['spec']> = { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 3, backoffLimit: 2147483647 };
  const failed0 = annotate(pod('Failed', { index: 0, exit: 1 }), 1);
  const p = decideJob(input(job(spec), [failed0]));
  // Index 0 failed twice now (20 s back-off from 1 s ago); 1 and 2 never failed.
  assert.deepEqual(p.create.map((c) => c.index), [1, 2]);
  assert.equal(p.requeueAfterMs, 19_000);
  const only0 = decideJob(input(job(spec), [failed0, pod('Running', { index: 1 }), pod('Running', { index: 2 })]));
  assert.deepEqual([only0.create, only0.requeueAfterMs], [[], 19_000]);
  const later = decideJob(input(job(spec), [failed0, pod('Running', { index: 1 }), pod('Running', { index: 2 })], { now: NOW + 19_000 }));
  assert.deepEqual(later.create.map((c) => [c.index, c.indexFailures]), [[0, 2]]);
});

test('successPolicy: a rule naming only indexes past completions is skipped (matchSuccessPolicy)', () => {
  const spec: Partial<Job['spec']> = { completionMode: 'Indexed', completions: 3, parallelism: 3, successPolicy: { rules: [{ succeededIndexes: '5-7' }, { succeededCount: 1 }] } };
  const p = decideJob(input(job(spec), [pod('Succeeded', { index: 1 })]));
  assert.deepEqual(p.status.conditions?.map((c) => [c.type, c.message]), [['SuccessCriteriaMet', 'Matched rules at index 1']]);
});

test('podReplacementPolicy Failed: a terminating pod holds back its replacement but never makes a running pod go', () => {
  const run = pod('Running');
  const going = pod('Running', { deleting: true });
  const p = decideJob(input(job({ parallelism: 1, podReplacementPolicy: 'Failed' }), [run, going]));
  assert.deepEqual([p.delete, p.create, p.status.terminating], [[], [], 1]);
  const indexed = decideJob(input(job({ completionMode: 'Indexed', parallelism: 1, podReplacementPolicy: 'Failed' }), [pod('Running', { index: 0 }), pod('Running', { index: 1, deleting: true })]));
  assert.deepEqual([indexed.delete, indexed.create], [[], []]);
  // TerminatingOrFailed (the default): the terminating pod is already a failure and is replaced.
  const q = decideJob(input(job({ parallelism: 2 }), [run, going], { now: NOW + 20_000 }));
  assert.deepEqual([q.delete, q.create.length], [[], 1]);
});
