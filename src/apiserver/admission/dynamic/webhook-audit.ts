/**
 * What the webhook dispatchers add to the request's audit event besides a webhook's own
 * auditAnnotations, as upstream's mutating dispatcher (webhookAnnotator) and validating dispatcher:
 * - for each mutating webhook called, `mutation.webhook.admission.k8s.io/round_{r}_index_{i}` =
 *   {"configuration","webhook","mutated"} (Metadata level), whatever the call's outcome;
 * - when its JSONPatch was applied, `patch.webhook.admission.k8s.io/round_{r}_index_{i}` =
 *   {"configuration","webhook","patch","patchType"}, at Request level and above only (the patch
 *   carries request data);
 * - a call whose failure was ignored (failurePolicy Ignore): `failed-open.mutation.webhook.admission.k8s.io/round_{r}_index_{i}`,
 *   or `failed-open.validating.webhook.admission.k8s.io/round_0_index_{i}`, = the webhook's name.
 * Round 1 is the reinvocation. The index is the webhook's place in the dispatcher's list: every
 * mutating webhook of every configuration (sorted by configuration name); for validating webhooks,
 * the ones called (upstream's relevantHooks). Values are Go's json.Marshal output (HTML-safe escapes;
 * a patch operation's keys sorted, as a Go map's).
 */
import type { RequestContext } from '../../storage/types.js';
import { addAuditAnnotation } from '../audit-annotations.js';

/** Where a webhook stands: its configuration's name and its index in the dispatcher's list. */
export interface WebhookOrigin {
  configuration: string;
  index: number;
}

const MUTATION = 'mutation.webhook.admission.k8s.io/';
const PATCH = 'patch.webhook.admission.k8s.io/';
const FAILED_OPEN_MUTATING = `failed-open.${MUTATION}`;
const FAILED_OPEN_VALIDATING = 'failed-open.validating.webhook.admission.k8s.io/';

/** JSON as Go's json.Marshal writes it: <, >, &, U+2028 and U+2029 escaped. */
function goMarshal(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A JSONPatch as jsonpatch.Patch marshals: each operation a map (sorted keys), its values as sent. */
function patchOperations(ops: unknown): unknown {
  if (!Array.isArray(ops)) return ops;
  return ops.map((op: unknown) => (op && typeof op === 'object' && !Array.isArray(op)
    ? Object.fromEntries(Object.entries(op).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : op));
}

/** The annotations of one call of a mutating webhook (upstream's webhookAnnotator). */
export class MutationAnnotator {
  private readonly suffix: string;

  constructor(private readonly ctx: RequestContext, private readonly webhook: string, private readonly origin: WebhookOrigin, round: number) {
    this.suffix = `round_${round}_index_${origin.index}`;
  }

  /** Whether the call changed the object; recorded for every call, refused or failed ones too. */
  mutation(mutated: boolean): void {
    addAuditAnnotation(this.ctx, `${MUTATION}${this.suffix}`, goMarshal({ configuration: this.origin.configuration, webhook: this.webhook, mutated }));
  }

  /** The JSONPatch the call's response applied (non-empty). */
  patch(ops: unknown): void {
    const value = goMarshal({ configuration: this.origin.configuration, webhook: this.webhook, patch: patchOperations(ops), patchType: 'JSONPatch' });
    addAuditAnnotation(this.ctx, `${PATCH}${this.suffix}`, value, 'Request');
  }

  /** The call failed and failurePolicy Ignore let the request go on. */
  failedOpen(): void {
    addAuditAnnotation(this.ctx, `${FAILED_OPEN_MUTATING}${this.suffix}`, this.webhook);
  }
}

/** A validating webhook's failure ignored under failurePolicy Ignore; `index` among the webhooks called. */
export function validatingFailedOpen(ctx: RequestContext, webhook: string, index: number): void {
  addAuditAnnotation(ctx, `${FAILED_OPEN_VALIDATING}round_0_index_${index}`, webhook);
}
