/**
 * Kubernetes `Status` errors. Every failure the API returns is one of these: the HTTP code, the
 * machine-readable reason, and, for invalid input, the offending fields as causes
 * (`details.causes[].field` such as `spec.containers[0].image`).
 */

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'AlreadyExists' | 'Conflict' | 'Gone' | 'Expired' | 'RequestEntityTooLarge' | 'UnsupportedMediaType'
  | 'Invalid' | 'Timeout' | 'TooManyRequests' | 'InternalError' | 'ServiceUnavailable';

export interface StatusCause {
  /** e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong. */
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: `continue` on a 410 for a compacted continue token (an inconsistent continuation). */
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

/** One invalid field, as apimachinery's field.Error. `type` becomes the cause's reason. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
    | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid' | 'FieldValueTooMany' | 'FieldValueNotFound';
  /** Path in Kubernetes' notation: `metadata.name`, `spec.containers[0].image`, `metadata.labels[app]`. */
  field: string;
  /** Human text such as `Required value` or `Invalid value: "Foo": a lowercase RFC 1123 ...`. */
  detail: string;
}

export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'StatusError';
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });
}

interface Target {
  group?: string;
  kind: string;
  /** Plural resource name used in messages, e.g. `pods`, `deployments.apps`. */
  resource?: string;
  name?: string;
}

function qualified(t: Target): string {
  const res = t.resource ?? t.kind.toLowerCase();
  return t.group && !res.includes('.') ? `${res}.${t.group}` : res;
}

export const errors = {
  badRequest: (message: string, causes?: StatusCause[]) => failure(400, 'BadRequest', message, causes ? { causes } : undefined),
  unauthorized: (message = 'Unauthorized') => failure(401, 'Unauthorized', message),
  forbidden: (message: string) => failure(403, 'Forbidden', message),
  notFound: (t: Target) =>
    failure(404, 'NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, { name: t.name, group: t.group, kind: t.resource ?? t.kind }),
  methodNotAllowed: (message: string) => failure(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => failure(406, 'NotAcceptable', message),
  alreadyExists: (t: Target) =>
    failure(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, { name: t.name, group: t.group, kind: t.resource ?? t.kind }),
  conflict: (t: Target, why: string) =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, { name: t.name, group: t.group, kind: t.resource ?? t.kind }),
  gone: (message: string) => failure(410, 'Expired', message),
  tooLarge: (message = 'the request body is too large') => failure(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (contentType: string) =>
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`),
  /** 422 with one cause per field; the message lists them the way kubectl prints them. */
  invalid: (t: Target, errs: FieldError[]) =>
    failure(422, 'Invalid', `${t.kind} "${t.name ?? ''}" is invalid: ${errs.map(formatFieldError).join(', ')}`, {
      name: t.name, group: t.group, kind: t.kind,
      causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
    }),
  internal: (message = 'an internal error occurred') => failure(500, 'InternalError', message),
  /**
   * A plain (non-Status) error as the API server answers it (responsewriters.ErrorToAPIStatus's
   * default case): reason StatusReasonUnknown, which is "" and so absent from the body, and the
   * error's own text. Upstream's proxies hand their dial and upgrade failures to the responder as
   * such errors ("error dialing backend: ...", "invalid upgrade response: status code N").
   */
  plain: (message: string, code = 500) =>
    new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code }),
  timeout: (message: string) => failure(504, 'Timeout', message),
  unavailable: (message: string) => failure(503, 'ServiceUnavailable', message),
};

export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${e.detail}`;
}

export function successStatus(details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
