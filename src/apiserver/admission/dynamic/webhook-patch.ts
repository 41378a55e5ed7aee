/**
 * A mutating webhook's patch, judged as upstream's mutating dispatcher (callAttrMutatingHook) and
 * webhook/request.go VerifyAdmissionResponse judge it. Which failures the webhook's failurePolicy
 * covers is the point:
 * - the webhook's fault in answering (a patch without a patchType or the reverse, a patch that does
 *   not decode as a JSONPatch, a patchType other than JSONPatch) is a failure to call it
 *   (WebhookCallError): ignored under failurePolicy Ignore, a 500 under Fail;
 * - a non-empty patch on an operation without an object (DELETE) and a patch that does not apply to
 *   the object are the API server's internal errors (apierrors.NewInternalError): 500 whatever
 *   the failurePolicy.
 * An empty patch is no patch, whatever the operation.
 */
import type { KubeObject } from '../../../api/meta.js';
import { failure, StatusError } from '../../../api/status.js';
import type { JsonObject } from '../../patch/json-value.js';
import { applyJsonPatch } from '../../patch/json-patch.js';
import { REJECTED_MESSAGE } from '../../patch/patch-errors.js';
import { WebhookCallError, type AdmissionResponse } from './webhook-client.js';

/** apierrors.NewInternalError: 500, the error's text as the message's tail and the one cause. */
function internalError(detail: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${detail}`, { causes: [{ message: detail }] });
}

/** VerifyAdmissionResponse's checks of patch and patchType (a validating webhook may return neither). */
export function verifyPatchFields(resp: AdmissionResponse, mutating: boolean): void {
  const invalid = (why: string) => new WebhookCallError(`received invalid webhook response: ${why}`);
  if (mutating) {
    if (resp.patch && resp.patchType == null) throw invalid('webhook returned response.patch but not response.patchType');
    if (!resp.patch && resp.patchType != null) throw invalid('webhook returned response.patchType but not response.patch');
    if (resp.patchType === '') throw invalid('webhook returned invalid response.patchType of ""');
    return;
  }
  if (resp.patch) throw invalid('validating webhook may not return response.patch');
  if (resp.patchType != null) throw invalid('validating webhook may not return response.patchType');
}

/**
 * The JSONPatch operations of an allowing response, or undefined for no (or an empty) patch.
 * Throws a WebhookCallError for the webhook's faults, the internal error for a patch on an
 * operation without an object.
 */
export function webhookPatch(webhook: string, resp: AdmissionResponse, object: KubeObject | null): JsonObject[] | undefined {
  if (!resp.patch) return undefined;
  const undecodable = (why: string) => new WebhookCallError(`received undecodable patch in webhook response: ${why}`);
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(resp.patch, 'base64').toString('utf8'));
  } catch (err) {
    throw undecodable((err as Error).message);
  }
  if (!Array.isArray(ops)) throw undecodable('json: cannot unmarshal into Go value of type jsonpatch.Patch');
  if (ops.some((op) => op === null || typeof op !== 'object' || Array.isArray(op))) throw undecodable('json: cannot unmarshal into Go value of type jsonpatch.Operation');
  if (ops.length === 0) return undefined;
  if (!object) throw internalError(`admission webhook ${JSON.stringify(webhook)} attempted to modify the object, which is not supported for this operation`);
  if (resp.patchType !== 'JSONPatch') throw new WebhookCallError(`unsupported patch type ${JSON.stringify(resp.patchType ?? '')}`);
  return ops as JsonObject[];
}

/** The object with the patch applied; a patch that does not apply is an internal error. */
export function applyWebhookPatch(object: KubeObject, ops: JsonObject[]): KubeObject {
  try {
    return applyJsonPatch(object as JsonObject, ops) as KubeObject;
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    // The patch package words it as a PATCH request's answer (422 with a fixed message, a cause for
    // the copy limit); kept here: the detail, not that wording. The text is not evanphx/json-patch's.
    const detail = err.status.details?.causes?.[0]?.message ?? (err.message === REJECTED_MESSAGE ? 'the patch does not apply to the object' : err.message);
    throw internalError(`jsonpatch: ${detail}`);
  }
}
