/** apps/v1 Deployment: SetDefaults_Deployment, ValidateDeployment and the kubectl table. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { child, fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { podTemplateSpecSchema } from '../core/pod-spec.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, selectorString } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { containerCells, workloadConditionSchema } from './common.js';
import { intOrPercent, validateSelectorAndTemplate, validateSelectorImmutable } from './workload-validation.js';

const APPS = 'io.k8s.api.apps.v1';

export const rollingUpdateDeploymentSchema = s.object({
  maxUnavailable: s.intOrString('The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge is 0. Defaults to 25%.'),
  maxSurge: s.intOrString('The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up. Defaults to 25%.'),
}, { name: `${APPS}.RollingUpdateDeployment`, description: 'Spec to control the desired behavior of rolling update.' });

export const deploymentStrategySchema = s.object({
  type: s.string({ description: 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.\n\nPossible enum values:\n - `"Recreate"` Kill all existing pods before creating new ones.\n - `"RollingUpdate"` Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.', enum: ['Recreate', 'RollingUpdate'] }),
  rollingUpdate: { ...rollingUpdateDeploymentSchema, description: 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.' },
}, { name: `${APPS}.DeploymentStrategy`, description: 'DeploymentStrategy describes how to replace existing pods with new ones.' });

export const deploymentSpecSchema = s.object({
  replicas: s.int('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
  selector: { ...labelSelectorSchema, description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels." },
  template: { ...podTemplateSpecSchema, description: 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".' },
  strategy: { ...deploymentStrategySchema, description: 'The deployment strategy to use to replace existing pods with new ones.', patchStrategy: 'retainKeys', default: {} },
  minReadySeconds: s.int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
  revisionHistoryLimit: s.int('The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.'),
  paused: s.bool('Indicates that the deployment is paused.'),
  progressDeadlineSeconds: s.int('The maximum time in seconds for a deployment to make progress before it is considered to be failed. The deployment controller will continue to process failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in the deployment status. Note that progress will not be estimated during the time a deployment is paused. Defaults to 600s.'),
}, { name: `${APPS}.DeploymentSpec`, required: ['selector', 'template'], description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.' });

export const deploymentStatusSchema = s.object({
  observedGeneration: s.int64('The generation observed by the deployment controller.'),
  replicas: s.int('Total number of non-terminating pods targeted by this deployment (their labels match the selector).'),
  updatedReplicas: s.int('Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
  readyReplicas: s.int('Total number of non-terminating pods targeted by this Deployment with a Ready Condition.'),
  availableReplicas: s.int('Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
  unavailableReplicas: s.int('Total number of unavailable pods targeted by this deployment. This is the total number of pods that are still required for the deployment to have 100% available capacity.'),
  terminatingReplicas: s.int('Total number of terminating pods targeted by this deployment.'),
  conditions: s.array(workloadConditionSchema('DeploymentCondition', 'deployment', true), { description: "Represents the latest available observations of a deployment's current state.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  collisionCount: s.int('Count of hash collisions for the Deployment. The Deployment controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ReplicaSet.'),
}, { name: `${APPS}.DeploymentStatus`, description: 'DeploymentStatus is the most recently observed status of the Deployment.' });

export const deploymentSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...deploymentSpecSchema, description: 'Specification of the desired behavior of the Deployment.' },
  status: { ...deploymentStatusSchema, description: 'Most recently observed status of the Deployment.' },
}, { name: `${APPS}.Deployment`, gvk: gvk('apps', 'v1', 'Deployment'), description: 'Deployment enables declarative updates for Pods and ReplicaSets.' });

export type Deployment = Infer<typeof deploymentSchema> & { metadata: ObjectMeta };
export type DeploymentSpec = Infer<typeof deploymentSpecSchema>;
export type DeploymentStatus = Infer<typeof deploymentStatusSchema>;
export type DeploymentStrategy = Infer<typeof deploymentStrategySchema>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** SetDefaults_Deployment. */
function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (!spec) return;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

function validateDeployment(d: Deployment): FieldError[] {
  // A Deployment without a spec is validated as upstream validates its zero value.
  const spec: NonNullable<Deployment['spec']> = d.spec ?? ({} as NonNullable<Deployment['spec']>);
  const errs = validateSelectorAndTemplate('deployment', spec.selector, spec.template, spec.replicas);
  const sp = 'spec.strategy';
  if (spec.strategy?.type === 'Recreate' && spec.strategy.rollingUpdate) {
    errs.push(fe.forbidden(child(sp, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  }
  const ru = spec.strategy?.rollingUpdate;
  if (ru && spec.strategy?.type === 'RollingUpdate') {
    const mu = intOrPercent(ru.maxUnavailable, `${sp}.rollingUpdate.maxUnavailable`);
    const ms = intOrPercent(ru.maxSurge, `${sp}.rollingUpdate.maxSurge`);
    errs.push(...mu.errs, ...ms.errs);
    if (mu.zero && ms.zero) errs.push(fe.invalid(`${sp}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  for (const k of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'] as const) {
    const v = spec[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errs.push(fe.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export const deployments = defineKind<Deployment>({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'],
  subresources: ['status', 'scale'],
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selectorPath: 'spec.selector', checksUid: true },
  schema: deploymentSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate: (d, old) => validateSelectorImmutable(d.spec?.selector, old.spec?.selector),
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', true),
  ],
  cells: (d) => [
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0,
    ...containerCells(d.spec?.template?.spec?.containers), selectorString(d.spec?.selector),
  ],
  protobufMessage: 'k8s.io.api.apps.v1.Deployment',
});
