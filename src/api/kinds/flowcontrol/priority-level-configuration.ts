/**
 * flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration as upstream (pkg/apis/flowcontrol/v1
 * defaults.go: Exempt gets nominalConcurrencyShares 0 and lendablePercent 0; Limited gets
 * nominalConcurrencyShares 30 and lendablePercent 0; queuing 64 queues, handSize 8,
 * queueLengthLimit 50; validation.go ValidatePriorityLevelConfiguration), with its status
 * subresource. Printed as printPriorityLevelConfiguration: NAME, TYPE, NOMINALCONCURRENCYSHARES,
 * QUEUES, HANDSIZE, QUEUELENGTHLIMIT, AGE (`<none>` where a level has no such value).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { MANDATORY_PRIORITY_LEVELS } from './bootstrap-configuration.js';
import { flowcontrolConditionSchema, validateFlowcontrolConditions } from './conditions.js';

const LENDABLE_DOC = "`lendablePercent` prescribes the fraction of the level's NominalCL that can be borrowed by other priority levels. The value of this field must be between 0 and 100, inclusive, and it defaults to 0. The number of seats that other levels can borrow from this level, known as this level's LendableConcurrencyLimit (LendableCL), is defined as follows.\n\nLendableCL(i) = round( NominalCL(i) * lendablePercent(i)/100.0 )";
const QUEUES_DOC = '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.';
const HAND_DOC = "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.";
const LENGTH_DOC = '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.';
const NCS_DOC = "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server's concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a \"jail\" for this priority level that is used to hold some request(s)";

export const priorityLevelConfigurationSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "`metadata` is the standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  spec: s.object({
    type: s.string('`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
    limited: s.object({
      nominalConcurrencyShares: s.int(NCS_DOC),
      limitResponse: s.object({
        type: s.string('`type` is "Queue" or "Reject". "Queue" means that requests that can not be executed upon arrival are held in a queue until they can be executed or a queuing limit is reached. "Reject" means that requests that can not be executed upon arrival are rejected. Required.'),
        queuing: s.object({ queues: s.int(QUEUES_DOC), handSize: s.int(HAND_DOC), queueLengthLimit: s.int(LENGTH_DOC) }, {
          name: 'io.k8s.api.flowcontrol.v1.QueuingConfiguration', description: '`queuing` holds the configuration parameters for queuing. This field may be non-empty only if `type` is `"Queue"`.', typeDescription: 'QueuingConfiguration holds the configuration parameters for queuing',
        }),
      }, { name: 'io.k8s.api.flowcontrol.v1.LimitResponse', required: ['type'], description: '`limitResponse` indicates what to do with requests that can not be executed right now', typeDescription: 'LimitResponse defines how to handle requests that can not be executed right now.' }),
      lendablePercent: s.int(LENDABLE_DOC),
      borrowingLimitPercent: s.int("`borrowingLimitPercent`, if present, configures a limit on how many seats this priority level can borrow from other priority levels. The limit is known as this level's BorrowingConcurrencyLimit (BorrowingCL) and is a limit on the total number of seats that this level may borrow at any one time. This field holds the ratio of that limit to the level's nominal concurrency limit. When this field is non-nil, it must hold a non-negative integer and the limit is calculated as follows.\n\nBorrowingCL(i) = round( NominalCL(i) * borrowingLimitPercent(i)/100.0 )\n\nThe value of this field can be more than 100, implying that this priority level can borrow a number of seats that is greater than its own nominal concurrency limit (NominalCL). When this field is left `nil`, the limit is effectively infinite."),
    }, { name: 'io.k8s.api.flowcontrol.v1.LimitedPriorityLevelConfiguration', description: '`limited` specifies how requests are handled for a Limited priority level. This field must be non-empty if and only if `type` is `"Limited"`.', typeDescription: 'LimitedPriorityLevelConfiguration specifies how to handle requests that are subject to limits. It addresses two issues:\n  - How are requests for this priority level limited?\n  - What should be done with requests that exceed the limit?' }),
    exempt: s.object({
      nominalConcurrencyShares: s.int("`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats nominally reserved for this priority level. This DOES NOT limit the dispatching from this priority level but affects the other priority levels through the borrowing mechanism. The server's concurrency limit (ServerCL) is divided among all the priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level. This field has a default value of zero."),
      lendablePercent: s.int(LENDABLE_DOC),
    }, { name: 'io.k8s.api.flowcontrol.v1.ExemptPriorityLevelConfiguration', description: '`exempt` specifies how requests are handled for an exempt priority level. This field MUST be empty if `type` is `"Limited"`. This field MAY be non-empty if `type` is `"Exempt"`. If empty and `type` is `"Exempt"` then the default values for `ExemptPriorityLevelConfiguration` apply.', typeDescription: 'ExemptPriorityLevelConfiguration describes the configurable aspects of the handling of exempt requests. In the mandatory exempt configuration object the values in the fields here can be modified by authorized users, unlike the rest of the `spec`.' }),
  }, { name: 'io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationSpec', required: ['type'], description: '`spec` is the specification of the desired behavior of a "request-priority". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', typeDescription: 'PriorityLevelConfigurationSpec specifies the configuration of a priority level.' }),
  status: s.object({
    conditions: s.array(flowcontrolConditionSchema('PriorityLevelConfiguration', 'PriorityLevelConfigurationCondition defines the condition of priority level.'), { description: '`conditions` is the current state of "request-priority".', listType: 'map', listMapKeys: ['type'], patchStrategy: 'merge', patchMergeKey: 'type' }),
  }, { name: 'io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationStatus', description: '`status` is the current status of a "request-priority". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', typeDescription: 'PriorityLevelConfigurationStatus represents the current state of a "request-priority".' }),
}, { name: 'io.k8s.api.flowcontrol.v1.PriorityLevelConfiguration', gvk: gvk('flowcontrol.apiserver.k8s.io', 'v1', 'PriorityLevelConfiguration'), description: 'PriorityLevelConfiguration represents the configuration of a priority level.' });

export type PriorityLevelConfiguration = Infer<typeof priorityLevelConfigurationSchema> & { metadata: ObjectMeta };

/** SetDefaults_PriorityLevelConfiguration, _LimitedPriorityLevelConfiguration, _QueuingConfiguration (v1). */
function setDefaults(pl: PriorityLevelConfiguration): void {
  const spec = pl.spec;
  if (!spec) return;
  if (spec.type === 'Exempt') {
    spec.exempt ??= {};
    spec.exempt.nominalConcurrencyShares ??= 0;
    spec.exempt.lendablePercent ??= 0;
  }
  if (spec.limited) {
    spec.limited.nominalConcurrencyShares ??= 30;
    spec.limited.lendablePercent ??= 0;
    const queuing = spec.limited.limitResponse?.queuing;
    if (queuing) {
      if (!queuing.handSize) queuing.handSize = 8;
      if (!queuing.queues) queuing.queues = 64;
      if (!queuing.queueLengthLimit) queuing.queueLengthLimit = 50;
    }
  }
}

const MAX_QUEUES = 10_000_000;
/** shufflesharding.MaxHashBits: a hand must be dealt from 60 bits of hash. */
const MAX_HASH_BITS = 60;

function percent(path: string, v: number | undefined): FieldError[] {
  return v !== undefined && (v < 0 || v > 100) ? [fe.invalid(path, v, 'must be between 0 and 100, inclusive')] : [];
}

function validateQueuing(qc: { queues?: number; handSize?: number; queueLengthLimit?: number }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const queues = qc.queues ?? 0;
  const hand = qc.handSize ?? 0;
  if ((qc.queueLengthLimit ?? 0) <= 0) errs.push(fe.invalid(`${path}.queueLengthLimit`, qc.queueLengthLimit ?? 0, 'must be positive'));
  if (queues <= 0) errs.push(fe.invalid(`${path}.queues`, queues, 'must be positive'));
  else if (queues > MAX_QUEUES) errs.push(fe.invalid(`${path}.queues`, queues, `must not be greater than ${MAX_QUEUES}`));
  if (hand <= 0) errs.push(fe.invalid(`${path}.handSize`, hand, 'must be positive'));
  else if (hand > queues) errs.push(fe.invalid(`${path}.handSize`, hand, `should not be greater than queues (${queues})`));
  else if (Math.ceil(hand * Math.log2(queues)) > MAX_HASH_BITS) errs.push(fe.invalid(`${path}.handSize`, hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
  return errs;
}

function validateLimited(l: NonNullable<NonNullable<PriorityLevelConfiguration['spec']>['limited']>): FieldError[] {
  const p = 'spec.limited';
  const errs: FieldError[] = [];
  if ((l.nominalConcurrencyShares ?? 0) < 0) errs.push(fe.invalid(`${p}.nominalConcurrencyShares`, l.nominalConcurrencyShares, 'must be a non-negative integer'));
  errs.push(...percent(`${p}.lendablePercent`, l.lendablePercent));
  if (l.borrowingLimitPercent !== undefined && l.borrowingLimitPercent < 0) errs.push(fe.invalid(`${p}.borrowingLimitPercent`, l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
  const lr = l.limitResponse;
  const lp = `${p}.limitResponse`;
  if (lr?.type === 'Reject') {
    if (lr.queuing) errs.push(fe.forbidden(`${lp}.queuing`, 'must be nil if limited.limitResponse.type is not Limited'));
  } else if (lr?.type === 'Queue') {
    if (!lr.queuing) errs.push(fe.required(`${lp}.queuing`, 'must not be empty if limited.limitResponse.type is Limited'));
    else errs.push(...validateQueuing(lr.queuing, `${lp}.queuing`));
  } else errs.push(fe.notSupported(`${lp}.type`, lr?.type ?? '', ['Queue', 'Reject']));
  return errs;
}

/** ValidatePriorityLevelConfiguration: type Exempt iff named exempt, the mandatory ones' spec fixed (the exempt level's `exempt` aside). */
export function validatePriorityLevelConfiguration(pl: PriorityLevelConfiguration): FieldError[] {
  const spec = pl.spec ?? { type: '' };
  const name = pl.metadata.name ?? '';
  const errs: FieldError[] = [];
  if ((name === 'exempt') !== (spec.type === 'Exempt')) errs.push(fe.invalid('spec.type', spec.type, "type must be 'Exempt' if and only if name is 'exempt'"));
  if (spec.type === 'Exempt') {
    if (spec.limited) errs.push(fe.forbidden('spec.limited', 'must be nil if the type is not Limited'));
    if ((spec.exempt?.nominalConcurrencyShares ?? 0) < 0) errs.push(fe.invalid('spec.exempt.nominalConcurrencyShares', spec.exempt?.nominalConcurrencyShares, 'must be a non-negative integer'));
    errs.push(...percent('spec.exempt.lendablePercent', spec.exempt?.lendablePercent));
  } else if (spec.type === 'Limited') {
    if (spec.exempt) errs.push(fe.forbidden('spec.exempt', 'must be nil if the type is Limited'));
    if (!spec.limited) errs.push(fe.required('spec.limited', 'must not be empty when type is Limited'));
    else errs.push(...validateLimited(spec.limited));
  } else errs.push(fe.notSupported('spec.type', spec.type, ['Exempt', 'Limited']));
  const mandatory = MANDATORY_PRIORITY_LEVELS.find((m) => m.metadata.name === name);
  if (mandatory && !deepEqual({ ...spec, exempt: undefined }, { ...mandatory.spec, exempt: undefined })) {
    errs.push(fe.invalid('spec', spec, `spec of '${name}' must equal the fixed value`));
  }
  errs.push(...validateFlowcontrolConditions(pl.status?.conditions));
  return errs;
}

const none = (v: number | undefined): number | string => v ?? '<none>';

export const priorityLevelConfigurations = defineKind<PriorityLevelConfiguration>({
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'PriorityLevelConfiguration', plural: 'prioritylevelconfigurations', namespaced: false,
  schema: priorityLevelConfigurationSchema, nameValidator: nameIsDNSSubdomain,
  subresources: ['status'], hasStatusSubresource: true, tracksGeneration: true,
  defaults: setDefaults,
  validate: validatePriorityLevelConfiguration,
  columns: [
    col('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.'),
    col('NominalConcurrencyShares', 'string', 'NominalConcurrencyShares is the number of shares for this priority level'),
    col('Queues', 'string', '`queues` is a number of queues that belong to a non-exempt PriorityLevelConfiguration object.'),
    col('HandSize', 'string', '`handSize` is a small positive number for applying shuffle sharding.'),
    col('QueueLengthLimit', 'string', '`queueLengthLimit` is a length limit applied to each queue belonging to the priority.'),
  ],
  cells: (pl) => {
    const l = pl.spec?.limited;
    const qc = l?.limitResponse?.queuing;
    return [pl.spec?.type ?? '', none(l?.nominalConcurrencyShares), none(qc?.queues), none(qc?.handSize), none(qc?.queueLengthLimit)];
  },
});
