/**
 * batch/v1 Job defaults, generated selector and validation, worded as upstream
 * (pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job/strategy.go generateSelector,
 * pkg/apis/batch/validation/validation.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobCompletionsCell, jobs, jobStatusCell, type Job } from './job.js';
import { generateJobSelector, validateGeneratedSelector } from './job-validation.js';

function created(spec: Record<string, unknown> = {}, restartPolicy = 'Never'): Job {
  const job = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'pi', image: 'busybox' }] } }, ...spec },
  } as unknown as Job;
  generateJobSelector(job);
  jobs.applyDefaults(job);
  return job;
}
const details = (job: Job, old?: Job) => [...jobs.validate(job, old), ...(old ? [] : validateGeneratedSelector(job))].map((e) => `${e.field}: ${e.detail}`);

test('defaults and the generated selector: controller-uid and job-name labels, new and legacy', () => {
  const j = created();
  assert.deepEqual([j.spec?.completions, j.spec?.parallelism, j.spec?.backoffLimit, j.spec?.completionMode, j.spec?.suspend, j.spec?.podReplacementPolicy], [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed']);
  assert.deepEqual(j.spec?.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(j.spec?.template.metadata?.labels, { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' });
  assert.deepEqual(j.metadata.labels, j.spec?.template.metadata?.labels, 'the Job takes its template labels');
  assert.deepEqual(details(j), []);
  assert.equal(created({ backoffLimitPerIndex: 1, completionMode: 'Indexed', completions: 2 }).spec?.backoffLimit, 2147483647);
  assert.equal(created({ parallelism: 3 }).spec?.completions, undefined, 'a work queue Job keeps completions unset');
});

test('validation: restartPolicy, a hand-written selector, Indexed without completions, podFailurePolicy rules', () => {
  assert.deepEqual(details(created({}, 'Always')), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const own = created({ selector: { matchLabels: { app: 'x' } } });
  assert.ok(details(own).includes('spec.selector: Invalid value: "": `selector` not auto-generated'), details(own).join('\n'));
  assert.deepEqual(details(created({ completionMode: 'Indexed', parallelism: 2 })), ['spec.completions: Required value: when completion mode is Indexed']);
  const pfp = { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'nope', operator: 'In', values: [0, 42] } }] } };
  assert.deepEqual(details(created(pfp, 'OnFailure')), [
    'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
    'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
    'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
  ]);
  assert.deepEqual(details(created({ backoffLimit: -1 })), ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']);
  // managedBy: a domain-prefixed path of at most 63 bytes, fixed once set.
  assert.deepEqual(details(created({ managedBy: 'kueue.x-k8s.io/multikueue' })), []);
  assert.deepEqual(details(created({ managedBy: 'kueue' })), ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")']);
  assert.deepEqual(details(created({ managedBy: `example.com/${'x'.repeat(52)}` })), ['spec.managedBy: Too long: may not be more than 63 bytes']);
  const managed = created({ managedBy: 'example.com/a' });
  assert.deepEqual(details({ ...managed, spec: { ...managed.spec!, managedBy: 'example.com/b' } }, managed), ['spec.managedBy: Invalid value: "example.com/b": field is immutable']);
});

test('updates: the template is immutable unless the Job is suspended and never started (then scheduling directives only)', () => {
  const old = created();
  const changed = structuredClone(old);
  changed.spec!.template.spec!.containers[0]!.image = 'other';
  assert.deepEqual(details(changed, old), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  const suspended = created({ suspend: true });
  const sched = structuredClone(suspended);
  (sched.spec!.template.spec as Record<string, unknown>).nodeSelector = { zone: 'a' };
  assert.deepEqual(details(sched, suspended), []);
  const parallel = structuredClone(old);
  parallel.spec!.parallelism = 5;
  assert.deepEqual(details(parallel, old), [], 'parallelism may change');
  const completions = structuredClone(old);
  completions.spec!.completions = 5;
  assert.deepEqual(details(completions, old), ['spec.completions: Invalid value: 5: field is immutable']);
  // Elastic Indexed Jobs: completions follow the new parallelism, whatever the two were before.
  const indexed = created({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
  const scaled = structuredClone(indexed);
  Object.assign(scaled.spec!, { completions: 3, parallelism: 3 });
  assert.deepEqual(details(scaled, indexed), []);
  Object.assign(scaled.spec!, { completions: 6, parallelism: 3 });
  assert.deepEqual(details(scaled, indexed), ['spec.completions: Invalid value: 6: can only be modified in tandem with spec.parallelism']);
});

test('printer cells: STATUS and COMPLETIONS as printJob', () => {
  const j = created({ completions: 3 });
  j.status = { succeeded: 1 };
  assert.deepEqual([jobStatusCell(j), jobCompletionsCell(j)], ['Running', '1/3']);
  j.status = { succeeded: 3, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] };
  assert.equal(jobStatusCell(j), 'Complete');
  const queue = created({ parallelism: 2 });
  assert.equal(jobCompletionsCell(queue), '0/1 of 2');
});
