/**
 * What a ValidatingAdmissionPolicy adds to the request's audit event, as upstream's validating
 * dispatcher and validator: a failed validation under a binding's Audit action is the annotation
 * `validation.policy.admission.k8s.io/validation_failure`, a JSON list of one {message, policy,
 * binding, expressionIndex, validationActions} (the first one set stays, as every admission
 * annotation); spec.auditAnnotations are evaluated for each binding and param the policy is run with
 * and become `<policy name>/<key>`: a string, trimmed (empty or null: none), cut at 10 KiB, several
 * bindings' distinct values joined by ", ". A valueExpression that fails, or gives neither a string nor
 * null, is the policy's error (a refusal under failurePolicy Fail).
 */
import { addAuditAnnotation } from '../audit-annotations.js';
import type { RequestContext } from '../../storage/types.js';
import { evaluate, RUNTIME_CEL_COST_BUDGET, type CelActivation } from './cel.js';

export const VALIDATION_FAILURE = 'validation.policy.admission.k8s.io/validation_failure';
const MAX_VALUE_BYTES = 10 * 1024;

/** Records a failed validation of a binding with the Audit action. */
export function auditValidationFailure(ctx: RequestContext, failure: { message: string; policy: string; binding: string; expressionIndex: number; validationActions: string[] }): void {
  addAuditAnnotation(ctx, VALIDATION_FAILURE, JSON.stringify([failure]));
}

/** One policy's auditAnnotations over all its bindings and params (upstream's auditAnnotationCollector). */
export class PolicyAuditAnnotations {
  private readonly values = new Map<string, string[]>();

  /**
   * Evaluates the annotations for one binding and param; returns the errors (each the message of a
   * refusal under failurePolicy Fail; skipped under Ignore).
   */
  evaluate(annotations: readonly { key: string; valueExpression: string }[] | undefined, act: CelActivation): string[] {
    const errors: string[] = [];
    const budget = { remaining: RUNTIME_CEL_COST_BUDGET };
    for (const a of annotations ?? []) {
      let v: unknown;
      try {
        v = evaluate(a.valueExpression, act, budget);
      } catch (err) {
        errors.push(`expression '${a.valueExpression}' resulted in error: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') {
        errors.push(`valueExpression '${a.valueExpression}' resulted in unsupported return type: ${celTypeName(v)}. Return type must be either string or null.`);
        continue;
      }
      const trimmed = v.trim();
      if (trimmed === '') continue;
      const value = Buffer.byteLength(trimmed) > MAX_VALUE_BYTES ? Buffer.from(trimmed).subarray(0, MAX_VALUE_BYTES).toString() : trimmed;
      const seen = this.values.get(a.key) ?? [];
      if (!seen.includes(value)) this.values.set(a.key, [...seen, value]);
    }
    return errors;
  }

  /** Adds the collected values to the request's audit event as `<policy name>/<key>`. */
  publish(ctx: RequestContext, policyName: string): void {
    for (const [key, values] of this.values) addAuditAnnotation(ctx, `${policyName}/${key}`, values.join(', '));
  }
}

/** The CEL type name of an evaluated value, as cel-go prints it. */
function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  const ctor = (v as object).constructor?.name;
  return ctor === 'UnsignedInt' ? 'uint' : ctor === 'Duration' ? 'google.protobuf.Duration' : 'map';
}
