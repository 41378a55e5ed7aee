/**
 * scheduling.k8s.io/v1 PriorityClass: schema, defaults (preemptionPolicy PreemptLowerPriority),
 * validation (ValidatePriorityClass / ValidatePriorityClassUpdate: reserved `system-` names, the
 * user-definable maximum, value and preemptionPolicy immutable), printer columns
 * (printPriorityClass) and the two system classes the API server creates at start.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;
/** scheduling.HighestUserDefinablePriority. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

export const priorityClassSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  value: s.int('value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'),
  globalDefault: s.bool('globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.'),
  description: s.string('description is an arbitrary string that usually provides guidelines on when this priority class should be used.'),
  preemptionPolicy: s.string({ description: 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.', enum: PREEMPTION_POLICIES }),
}, { name: 'io.k8s.api.scheduling.v1.PriorityClass', required: ['value'], gvk: gvk('scheduling.k8s.io', 'v1', 'PriorityClass'), description: 'PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.' });

export type PriorityClass = Infer<typeof priorityClassSchema> & { metadata: ObjectMeta };

/** scheduling.SystemPriorityClasses(): created by the API server at start. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** IsKnownSystemPriorityClass: a `system-` name must be one of the system classes, with its value and not the default. */
function knownSystemClassError(pc: PriorityClass): string | undefined {
  const sys = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === pc.metadata.name);
  if (!sys) return `${pc.metadata.name} is not a known system priority class`;
  if (sys.value !== pc.value) return `value of ${pc.metadata.name} PriorityClass must be ${sys.value}`;
  if (pc.globalDefault) return `globalDefault of ${pc.metadata.name} PriorityClass must be false`;
  return undefined;
}

function defaultPriorityClass(pc: PriorityClass): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = knownSystemClassError(pc);
    if (why) errs.push(fe.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(fe.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  return errs;
}

function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if (pc.value !== old.value) errs.push(fe.forbidden('value', 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(fe.invalid('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
  return errs;
}

export const priorityClasses = defineKind<PriorityClass>({
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'],
  schema: priorityClassSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  columns: [
    col('Value', 'integer', 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.'),
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'),
  ],
  ageAt: 2,
  cells: (pc) => [pc.value, pc.globalDefault ?? false, pc.preemptionPolicy ?? ''],
  protobufMessage: 'k8s.io.api.scheduling.v1.PriorityClass',
});
