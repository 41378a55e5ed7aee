/**
 * Where the request path hands bodies to the audit record of its request, if it has one: the
 * decoded request object (verbs/verb-request.ts, verbs/delete.ts) and the answer written
 * (respond.ts writeBody). With auditing off nothing is registered and each call is one WeakMap
 * miss.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodySink {
  requestObject(obj: unknown): void;
  responseObject(obj: unknown): void;
}

const byRequest = new WeakMap<IncomingMessage, BodySink>();
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
