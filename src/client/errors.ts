/**
 * How failures reach callers: every non-2xx answer becomes a `StatusError` (src/api/status.ts) carrying
 * the server's Status; a watch that ends with a 410 ERROR event becomes `WatchExpiredError` so a
 * reflector can tell "relist" from "retry".
 */
import { failure, StatusError, type Status, type StatusReason } from '../api/status.js';

/** The reason Kubernetes uses for a code when the body is not a Status (as apimachinery's reasonForCode). */
const reasonForCode: Record<number, StatusReason> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/** Seconds of an HTTP Retry-After header in its delta-seconds form; undefined for anything else. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Build the StatusError for a non-2xx response body. A body that is not a Status gets the answer's
 * Retry-After as details.retryAfterSeconds, as client-go's transformUnstructuredResponseError does.
 */
export function statusErrorFromBody(code: number, body: string, retryAfterSeconds?: number): StatusError {
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') return new StatusError({ ...parsed, code: parsed.code || code } as Status);
  } catch { /* not JSON: fall through */ }
  const reason = reasonForCode[code] ?? 'InternalError';
  return failure(code, reason, body.trim() || `the server responded with HTTP ${code}`, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined);
}

/** A watch's resourceVersion is older than the server's history (410 Gone / reason Expired): list again. */
export class WatchExpiredError extends StatusError {
  constructor(status: Status) {
    super(status);
    this.name = 'WatchExpiredError';
  }
}

/** Turn a watch ERROR event's object into the error to surface. */
export function watchErrorFromStatus(obj: unknown): StatusError {
  const st = (obj && typeof obj === 'object' ? obj : {}) as Partial<Status>;
  const status: Status = {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: st.message ?? 'watch error', reason: st.reason, details: st.details, code: st.code ?? 500,
  };
  return status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone'
    ? new WatchExpiredError(status)
    : new StatusError(status);
}

/** True for errors that mean "the object does not exist". */
export const isNotFound = (e: unknown): boolean => e instanceof StatusError && e.code === 404;
/** True for 409 AlreadyExists (create of an existing name). */
export const isAlreadyExists = (e: unknown): boolean => e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists';
/** True for 409 Conflict (stale resourceVersion): re-read and retry. */
export const isConflict = (e: unknown): boolean => e instanceof StatusError && e.code === 409 && e.reason !== 'AlreadyExists';
/** True for 410 (resourceVersion too old). */
export const isGone = (e: unknown): boolean => e instanceof StatusError && (e.code === 410 || e instanceof WatchExpiredError);
/** True for a create refused because its namespace is being deleted (the NamespaceTerminating cause, as apierrors.HasStatusCause). */
export const isNamespaceTerminating = (e: unknown): boolean =>
  e instanceof StatusError && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
