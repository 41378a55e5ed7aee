/**
 * How kube-apiserver reports a patch it cannot apply (endpoints/handlers/patch.go):
 * undecodable documents are 400 BadRequest; a well-formed patch that does not apply to the
 * object (failed `test`, missing path, lists of lists, ...) is 422 from NewGenericServerResponse,
 * whose message is fixed and whose causes are empty, so the detail is deliberately not exposed.
 */
import { failure, errors, type StatusError } from '../../api/status.js';

/** The fixed message of NewGenericServerResponse(422). */
export const REJECTED_MESSAGE = 'the server rejected our request due to an error in our request';

/**
 * 422 Invalid as kube-apiserver returns it for a patch that does not apply. With `serverMessage`,
 * the cause NewGenericServerResponse adds for it (used for the copy-size limit, whose message is
 * the only hint a client gets of what to change).
 */
export function patchNotApplicable(serverMessage?: string): StatusError {
  // Without a server message NewGenericServerResponse's details are empty (no causes list).
  return failure(422, 'Invalid', REJECTED_MESSAGE, serverMessage ? { causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }] } : {});
}

/** 400 BadRequest for a patch document that cannot be decoded. */
export function badPatch(message: string): StatusError {
  return errors.badRequest(message);
}

/** A patched document that no longer decodes as an object: NewInvalid on the `patch` field. */
export function patchedNotAnObject(patched: unknown, why: string): StatusError {
  return errors.invalid({ kind: '' }, [{ type: 'FieldValueInvalid', field: 'patch', detail: `Invalid value: ${JSON.stringify(JSON.stringify(patched))}: ${why}` }]);
}

/**
 * Errors apimachinery returns as plain Go errors (unknown `$patch` value, a list item without its
 * merge key), which interpretStrategicMergePatchError passes on as they are: the handler's
 * ErrorToAPIStatus makes them a 500 with the message and reason "" (StatusReasonUnknown, absent
 * from the body; kubectl prints "Error from server: map: ... does not contain declared merge key").
 */
export function patchInternal(message: string): StatusError {
  return errors.plain(message);
}
