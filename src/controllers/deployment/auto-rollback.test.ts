/**
 * The auto-rollback decision (auto-rollback.ts) as tables: when a rollout counts as failed (progress
 * deadline, crash loop), where it goes back to, and that it never loops or acts without the
 * annotation. Upstream has no such feature; without the annotation the Deployment must stay as
 * upstream's progress.go leaves it (ProgressDeadlineExceeded, no template change).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoRollbackAnnotation, BadHashesAnnotation, AvailableHashesAnnotation, RestartThresholdAnnotation, crashLoopReason, noteAvailableRevision,
  planAutoRollback, type PodView,
} from './auto-rollback.js';
import type { Condition, ReplicaSet } from '../../controller-runtime/workload/types.js';
import type { Deployment } from './types.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const tpl = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'c', image }] },
});
const rs = (hash: string, image: string, revision: number, replicas: number, available: number): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: `web-${hash}`, namespace: 'ns', uid: `uid-${hash}`, labels: { app: 'web', 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': String(revision) } },
  spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: tpl(image, hash) },
  status: { replicas, availableReplicas: available, readyReplicas: available },
});
const timedOut: Condition = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-bad" has timed out progressing.' };
function deployment(image: string, annotations: Record<string, string>, conditions: Condition[] = [], generation = 2): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd', generation, resourceVersion: '7', annotations },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: tpl(image), progressDeadlineSeconds: 10 },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions },
  };
}
const on = { [AutoRollbackAnnotation]: 'true', [AvailableHashesAnnotation]: 'good' };
const older = rs('old', 'app:0', 0, 0, 0);
const good = rs('good', 'app:1', 1, 2, 2);
const bad = rs('bad', 'app:2', 2, 1, 0);
const crashing = (restarts: number, waiting = 'CrashLoopBackOff'): PodView => ({
  metadata: { name: 'web-bad-x' },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: restarts, state: { waiting: { reason: waiting } } }] },
});

test('rollout past its progress deadline goes back to the recorded revision, with the reason and bad hash', () => {
  const d = planAutoRollback(deployment('app:2', on, [timedOut]), [good, bad], [], NOW);
  assert.equal(d.kind, 'rollback');
  if (d.kind !== 'rollback') return;
  assert.deepEqual(d.deployment.spec.template, tpl('app:1'), 'the good template, without pod-template-hash');
  assert.equal(d.deployment.metadata.annotations?.[BadHashesAnnotation], 'bad');
  assert.equal(d.deployment.metadata.resourceVersion, '7', 'an update of what was read (conflicts retry)');
  assert.equal(d.reason, 'ProgressDeadlineExceeded');
  assert.deepEqual([d.condition.type, d.condition.status, d.condition.reason], ['RolledBack', 'True', 'ProgressDeadlineExceeded']);
  assert.match(d.message, /^Rolled back from revision 2 \(ReplicaSet "web-bad"\) to revision 1 \(ReplicaSet "web-good"\): ReplicaSet "web-bad" has timed out/);
});

test('decision table', () => {
  const cases: { name: string; d: Deployment; rss?: ReplicaSet[]; pods?: PodView[]; want: string }[] = [
    { name: 'no annotation: stays as upstream', d: deployment('app:2', { [AvailableHashesAnnotation]: 'good' }, [timedOut]), want: 'none' },
    { name: 'annotation "false"', d: deployment('app:2', { ...on, [AutoRollbackAnnotation]: 'false' }, [timedOut]), want: 'none' },
    { name: 'still progressing', d: deployment('app:2', on, [{ ...timedOut, status: 'True', reason: 'ReplicaSetUpdated' }]), want: 'none' },
    { name: 'generation not observed yet (condition is about the old spec)', d: deployment('app:2', on, [timedOut], 3), want: 'none' },
    { name: 'paused', d: { ...deployment('app:2', on, [timedOut]), spec: { ...deployment('app:2', on).spec, paused: true } }, want: 'none' },
    { name: 'crash loop at the threshold', d: deployment('app:2', on), pods: [crashing(3)], want: 'rollback' },
    { name: 'crash loop below the threshold', d: deployment('app:2', on), pods: [crashing(2)], want: 'none' },
    { name: 'threshold from the annotation', d: deployment('app:2', { ...on, [RestartThresholdAnnotation]: '1' }), pods: [crashing(1)], want: 'rollback' },
    { name: 'restarted often but running now', d: deployment('app:2', on), pods: [crashing(5, '')], want: 'none' },
    { name: 'the revision rolled back to fails too: record and warn once', d: deployment('app:1', { ...on, [BadHashesAnnotation]: 'bad' }, [timedOut]), want: 'skip' },
    { name: '... and not again', d: deployment('app:1', { ...on, [BadHashesAnnotation]: 'bad,good' }, [timedOut]), want: 'none' },
    { name: 'target is in the bad list: record and warn once', d: deployment('app:2', { ...on, [BadHashesAnnotation]: 'good' }, [timedOut]), want: 'skip' },
    { name: '... and not again', d: deployment('app:2', { ...on, [BadHashesAnnotation]: 'good,bad' }, [timedOut]), want: 'none' },
    { name: 'nothing recorded as available', d: deployment('app:2', { [AutoRollbackAnnotation]: 'true' }, [timedOut]), want: 'skip' },
    { name: 'recorded ReplicaSet gone (history limit)', d: deployment('app:2', on, [timedOut]), rss: [bad], want: 'skip' },
    { name: 'complete rollout is not rolled back', d: deployment('app:2', on, [timedOut]), rss: [rs('good', 'app:1', 1, 0, 0), rs('bad', 'app:2', 2, 2, 2)], want: 'none' },
  ];
  for (const c of cases) {
    const got = planAutoRollback(c.d, c.rss ?? [good, bad], c.pods ?? [], NOW);
    assert.equal(got.kind, c.want, c.name);
  }
});

test('a rolled-back Deployment that fails again is reported once and goes nowhere (no loop)', () => {
  const first = planAutoRollback(deployment('app:2', on, [timedOut]), [good, bad], [], NOW);
  assert.equal(first.kind, 'rollback');
  if (first.kind !== 'rollback') return;
  // The rollback landed (generation observed); now the good revision times out as well.
  const again = { ...first.deployment, metadata: { ...first.deployment.metadata, generation: 2 }, status: { ...first.deployment.status, conditions: [timedOut] } };
  const rss = [rs('good', 'app:1', 3, 2, 0), rs('bad', 'app:2', 2, 0, 0)];
  const second = planAutoRollback(again, rss, [], NOW);
  assert.equal(second.kind, 'skip', 'the only other revision is bad');
  if (second.kind !== 'skip') return;
  assert.equal(second.deployment.metadata.annotations?.[BadHashesAnnotation], 'bad,good');
  assert.deepEqual(second.deployment.spec.template, again.spec.template, 'template untouched');
  assert.equal(planAutoRollback(second.deployment, rss, [], NOW).kind, 'none', 'reported once');
});

test('a revision that looked available for a moment and then crash-loops goes back to the one before', () => {
  const d = deployment('app:2', { ...on, [AvailableHashesAnnotation]: 'old,good,bad' });
  const got = planAutoRollback(d, [older, good, bad], [crashing(3)], NOW);
  assert.equal(got.kind, 'rollback');
  if (got.kind !== 'rollback') return;
  assert.equal(got.reason, 'CrashLoopBackOff');
  assert.deepEqual(got.deployment.spec.template, tpl('app:1'), 'the most recent listed revision that is not failing');
  assert.match(got.message, /crash-looping \(3 restarts\)/);
});

test('crash-loop rule', () => {
  const pod = (status: PodView['status']): PodView => ({ metadata: { name: 'p' }, status });
  const t = (exitCode: number, restartCount = 0) => ({ name: 'c', restartCount, state: { terminated: { exitCode } } });
  assert.match(crashLoopReason(pod({ phase: 'Failed', containerStatuses: [t(1)] }), 3) ?? '', /failed: container "c" exited with code 1/);
  assert.equal(crashLoopReason(pod({ phase: 'Failed', reason: 'Evicted', containerStatuses: [t(137)] }), 3), undefined, 'evictions are the node\'s doing');
  assert.equal(crashLoopReason(pod({ phase: 'Failed', containerStatuses: [t(0)] }), 3), undefined);
  assert.match(crashLoopReason(pod({ phase: 'Running', containerStatuses: [t(2, 3)] }), 3) ?? '', /crash-looping \(3 restarts\)/);
  assert.match(crashLoopReason(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }), 3) ?? '', /"init"/);
});

test('noteAvailableRevision records the new ReplicaSet only when the Deployment is complete and opted in', () => {
  const complete = (annotations: Record<string, string>): Deployment => ({
    ...deployment('app:2', annotations), status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  });
  const d1 = complete(on);
  noteAvailableRevision(d1, [good, rs('bad', 'app:2', 2, 2, 2)]);
  assert.equal(d1.metadata.annotations?.[AvailableHashesAnnotation], 'good,bad', 'appended, most recent last');
  const d2 = deployment('app:2', on);
  noteAvailableRevision(d2, [good, bad]);
  assert.equal(d2.metadata.annotations?.[AvailableHashesAnnotation], 'good', 'incomplete: unchanged');
  const d3 = complete({});
  noteAvailableRevision(d3, [good, bad]);
  assert.equal(d3.metadata.annotations?.[AvailableHashesAnnotation], undefined, 'not opted in: nothing written');
});
