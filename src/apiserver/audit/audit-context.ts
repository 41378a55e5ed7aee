/**
 * Where the request path hands bodies to the audit record of its request, if it has one: the
 * decoded request object (verbs/verb-request.ts, verbs/delete.ts) and the answer written
 * (respond.ts writeBody); and where admission finds the annotations map of the request's event
 * (upstream's admission audit annotations). With auditing off nothing is registered and each call
 * is one WeakMap miss.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLevel } from './policy.js';

export interface BodySink {
  requestObject(obj: unknown): void;
  responseObject(obj: unknown): void;
}

const byRequest = new WeakMap<IncomingMessage, BodySink>();
const annotationsByRequest = new WeakMap<IncomingMessage, AdmissionAudit>();
const byResponse = new WeakMap<ServerResponse, BodySink>();
let active = false;

export function registerAuditBodies(req: IncomingMessage, res: ServerResponse, sink: BodySink): void {
  active = true;
  byRequest.set(req, sink);
  byResponse.set(res, sink);
}

/** The decoded request body of `req` (an object for create/update/patch/delete options). */
export function auditRequestObject(req: IncomingMessage, obj: unknown): void {
  if (active) byRequest.get(req)?.requestObject(obj);
}

/** The body about to be written to `res`. */
export function auditResponseObject(res: ServerResponse, obj: unknown): void {
  if (active) byResponse.get(res)?.responseObject(obj);
}

/** What admission sees of a request's audit event (RequestContext's fields of the same names). */
export interface AdmissionAudit {
  /** The map whose entries the event carries as annotations from its next stage on. */
  auditAnnotations: Map<string, string>;
  /** The event's level: an annotation of a higher level (a webhook's patch: Request) is not logged. */
  auditLevel: AuditLevel;
}

/** Registers the annotations map of the event of `req`, and the event's level. */
export function registerAuditAnnotations(req: IncomingMessage, auditAnnotations: Map<string, string>, auditLevel: AuditLevel): void {
  active = true;
  annotationsByRequest.set(req, { auditAnnotations, auditLevel });
}

/** The admission side of the audit event of `req`, to spread into its RequestContext; {} when not audited. */
export function admissionAuditOf(req: IncomingMessage): AdmissionAudit | Record<string, never> {
  return (active ? annotationsByRequest.get(req) : undefined) ?? {};
}
