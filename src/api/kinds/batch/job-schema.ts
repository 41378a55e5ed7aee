/** batch/v1 Job: the schema (k8s.io/api/batch/v1 types.go), field for field. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { podTemplateSpecSchema } from '../core/pod-spec.js';
import { gvk } from '../define.js';
import { labelSelectorSchema } from '../meta/label-selector.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const BATCH = 'io.k8s.api.batch.v1';

export const podFailurePolicyRuleSchema = s.object({
  action: s.string({ description: 'Specifies the action taken on a pod failure when the requirements are satisfied. Possible values are: FailJob, FailIndex, Ignore, Count.', enum: ['Count', 'FailIndex', 'FailJob', 'Ignore'] }),
  onExitCodes: s.object({
    containerName: s.string('Restricts the check for exit codes to the container with the specified name.'),
    operator: s.string({ description: 'Represents the relationship between the container exit code(s) and the specified values. Possible values are: In, NotIn.', enum: ['In', 'NotIn'] }),
    values: s.array(s.int(), { description: 'Specifies the set of values. Each returned container exit code (might be multiple in case of multiple containers) is checked against this set of values with respect to the operator.', listType: 'set' }),
  }, { name: `${BATCH}.PodFailurePolicyOnExitCodesRequirement`, required: ['operator', 'values'], description: 'PodFailurePolicyOnExitCodesRequirement describes the requirement for handling a failed pod based on its container exit codes.' }),
  onPodConditions: s.array(s.object({
    type: s.string('Specifies the required Pod condition type.'),
    status: s.string({ description: 'Specifies the required Pod condition status. Defaults to True.', default: 'True' }),
  }, { name: `${BATCH}.PodFailurePolicyOnPodConditionsPattern`, required: ['type'], description: 'PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.' }), { description: 'Represents the requirement on the pod conditions.', listType: 'atomic' }),
}, { name: `${BATCH}.PodFailurePolicyRule`, required: ['action'], description: 'PodFailurePolicyRule describes how a pod failure is handled when the requirements are met.' });

export const jobSpecSchema = s.object({
  parallelism: s.int('Specifies the maximum desired number of pods the job should run at any given time.'),
  completions: s.int('Specifies the desired number of successfully finished pods the job should be run with.'),
  activeDeadlineSeconds: s.int64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.'),
  podFailurePolicy: s.object({
    rules: s.array(podFailurePolicyRuleSchema, { description: 'A list of pod failure policy rules. The rules are evaluated in order.', listType: 'atomic' }),
  }, { name: `${BATCH}.PodFailurePolicy`, required: ['rules'], description: 'PodFailurePolicy describes how failed pods influence the backoffLimit.' }),
  successPolicy: s.object({
    rules: s.array(s.object({
      succeededIndexes: s.string('succeededIndexes specifies the set of indexes which need to be contained in the actual set of the succeeded indexes for the Job.'),
      succeededCount: s.int('succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job.'),
    }, { name: `${BATCH}.SuccessPolicyRule`, description: 'SuccessPolicyRule describes rule for declaring a Job as succeeded.' }), { description: 'rules represents the list of alternative rules for the declaring the Jobs as successful before `.status.succeeded >= .spec.completions`.', listType: 'atomic' }),
  }, { name: `${BATCH}.SuccessPolicy`, required: ['rules'], description: 'SuccessPolicy describes when a Job can be declared as succeeded based on the success of some indexes.' }),
  backoffLimit: s.int('Specifies the number of retries before marking this job failed. Defaults to 6'),
  backoffLimitPerIndex: s.int('Specifies the limit for the number of retries within an index before marking this index as failed.'),
  maxFailedIndexes: s.int('Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set.'),
  selector: { ...labelSelectorSchema, description: 'A label query over pods that should match the pod count. Normally, the system sets this field for you.' },
  manualSelector: s.bool('manualSelector controls generation of pod labels and pod selectors. Leave `manualSelector` unset unless you are certain what you are doing.'),
  template: { ...podTemplateSpecSchema, description: 'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".' },
  ttlSecondsAfterFinished: s.int('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
  completionMode: s.string({ description: 'completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.', enum: ['Indexed', 'NonIndexed'] }),
  suspend: s.bool('suspend specifies whether the Job controller should create Pods or not.'),
  podReplacementPolicy: s.string({ description: 'podReplacementPolicy specifies when to create replacement Pods. Possible values are: TerminatingOrFailed, Failed.', enum: ['Failed', 'TerminatingOrFailed'] }),
  managedBy: s.string('ManagedBy field indicates the controller that manages a Job.'),
}, { name: `${BATCH}.JobSpec`, required: ['template'], description: 'JobSpec describes how the job execution will look like.' });

export const jobConditionSchema = s.object({
  type: s.string('Type of job condition, Complete or Failed.'),
  status: s.string('Status of the condition, one of True, False, Unknown.'),
  lastProbeTime: s.time('Last time the condition was checked.'),
  lastTransitionTime: s.time('Last time the condition transit from one status to another.'),
  reason: s.string("(brief) reason for the condition's last transition."),
  message: s.string('Human readable message indicating details about last transition.'),
}, { name: `${BATCH}.JobCondition`, required: ['type', 'status'], description: 'JobCondition describes current state of a job.' });

export const jobStatusSchema = s.object({
  conditions: s.array(jobConditionSchema, { description: 'The latest available observations of an object\'s current state.', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'atomic' }),
  startTime: s.time('Represents time when the job controller started processing a job.'),
  completionTime: s.time('Represents time when the job was completed.'),
  active: s.int('The number of pending and running pods which are not terminating (without a deletionTimestamp).'),
  succeeded: s.int('The number of pods which reached phase Succeeded.'),
  failed: s.int('The number of pods which reached phase Failed.'),
  terminating: s.int('The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp).'),
  completedIndexes: s.string('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
  failedIndexes: s.string('FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set.'),
  uncountedTerminatedPods: s.object({
    succeeded: s.array(s.string(), { description: 'succeeded holds UIDs of succeeded Pods.', listType: 'set' }),
    failed: s.array(s.string(), { description: 'failed holds UIDs of failed Pods.', listType: 'set' }),
  }, { name: `${BATCH}.UncountedTerminatedPods`, description: "UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters." }),
  ready: s.int('The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp).'),
}, { name: `${BATCH}.JobStatus`, description: 'JobStatus represents the current state of a Job.' });

export const jobSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...jobSpecSchema, description: 'Specification of the desired behavior of a job.' },
  status: { ...jobStatusSchema, description: 'Current status of a job.' },
}, { name: `${BATCH}.Job`, gvk: gvk('batch', 'v1', 'Job'), description: 'Job represents the configuration of a single job.' });

export type Job = Infer<typeof jobSchema> & { metadata: ObjectMeta };
export type JobSpec = Infer<typeof jobSpecSchema>;
export type JobStatus = Infer<typeof jobStatusSchema>;
export type JobCondition = Infer<typeof jobConditionSchema>;
export type PodFailurePolicyRule = Infer<typeof podFailurePolicyRuleSchema>;
