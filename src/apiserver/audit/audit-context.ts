/**
 * Where the request path hands bodies to the audit record of its request, if it has one: the
 * decoded request object (verbs/verb-request.ts, verbs/delete.ts) and the answer written
 * (respond.ts writeBody); and where admission finds the annotations map of the request's event
 * (upstream's admission audit annotations). With auditing off nothing is registered and each call
 * is one WeakMap miss.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodySink {
  requestObject(obj: unknown): void;
  responseObject(obj: unknown): void;
}

const byRequest = new WeakMap<IncomingMessage, BodySink>();
const annotationsByRequest = new WeakMap<IncomingMessage, Map<string, string>>();
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

/** Registers the map whose entries the event of `req` carries as annotations from its next stage on. */
export function registerAuditAnnotations(req: IncomingMessage, annotations: Map<string, string>): void {
  active = true;
  annotationsByRequest.set(req, annotations);
}

/** The annotations map of the audit event of `req`; undefined when the request is not audited. */
export function auditAnnotationsOf(req: IncomingMessage): Map<string, string> | undefined {
  return active ? annotationsByRequest.get(req) : undefined;
}
