/**
 * The status condition shape flowcontrol.apiserver.k8s.io/v1 uses for FlowSchema and
 * PriorityLevelConfiguration (two identical types upstream, named per kind), and upstream's status
 * validation (ValidateFlowSchemaStatus / ValidatePriorityLevelConfigurationStatus: types present and
 * unique).
 */
import { s } from '../../schema/builders.js';
import { fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';

export function flowcontrolConditionSchema(kind: 'FlowSchema' | 'PriorityLevelConfiguration', typeDescription: string) {
  return s.object({
    type: s.string('`type` is the type of the condition. Required.'),
    status: s.string('`status` is the status of the condition. Can be True, False, Unknown. Required.'),
    lastTransitionTime: s.time('`lastTransitionTime` is the last time the condition transitioned from one status to another.'),
    reason: s.string("`reason` is a unique, one-word, CamelCase reason for the condition's last transition."),
    message: s.string('`message` is a human-readable message indicating details about last transition.'),
  }, { name: `io.k8s.api.flowcontrol.v1.${kind}Condition`, description: typeDescription });
}

export function validateFlowcontrolConditions(conditions: readonly { type?: string }[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const p = index('status.conditions', i);
    if (!c.type) errs.push(fe.required(`${p}.type`, 'must not be empty'));
    else if (seen.has(c.type)) errs.push(fe.duplicate(`${p}.type`, c.type));
    if (c.type) seen.add(c.type);
  });
  return errs;
}

/** Verbs a FlowSchema rule may name (upstream's supportedVerbs), besides '*'. */
export const SUPPORTED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
