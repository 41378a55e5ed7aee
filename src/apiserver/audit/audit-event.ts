/**
 * The audit.k8s.io/v1 Event and how its fields are formed from a request, as upstream's
 * pkg/audit/request.go (NewEventFromRequest, LogRequestObject, LogResponseObject): MicroTime stamps,
 * source IPs, the user, a Status as responseStatus, objects without managedFields. The Auditor
 * (auditor.ts) decides which events are written and when.
 */
import type { IncomingMessage } from 'node:http';
import type { Status } from '../../api/status.js';
import type { UserInfo } from '../http/authn.js';
import type { AuditLevel, AuditStage } from './policy.js';

export interface ObjectRef {
  resource: string; namespace?: string; name?: string; uid?: string; apiGroup?: string; apiVersion: string; resourceVersion?: string; subresource?: string;
}

/** authentication.k8s.io/v1 UserInfo as an Event holds it. */
export interface AuditUser { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

/** An audit.k8s.io/v1 Event (fields in upstream's order). */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  /** Empty when authentication failed. */
  user: AuditUser | Record<string, never>;
  impersonatedUser?: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectRef;
  responseStatus?: { metadata: Record<string, never>; status?: string; message?: string; reason?: string; details?: unknown; code: number };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** RFC 3339 with microseconds, as upstream's MicroTime. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

/** X-Forwarded-For entries, X-Real-Ip, then the peer (upstream's utilnet.SourceIPs). */
export function sourceIPs(req: IncomingMessage): string[] {
  const out: string[] = [];
  const fwd = req.headers['x-forwarded-for'];
  for (const ip of (Array.isArray(fwd) ? fwd.join(',') : fwd ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push(ip);
  const real = req.headers['x-real-ip'];
  if (typeof real === 'string' && real && !out.includes(real)) out.push(real);
  const peer = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (peer && !out.includes(peer)) out.push(peer);
  return out;
}

/** The object without metadata.managedFields (the policy's omitManagedFields). */
export function withoutManagedFields(obj: unknown): unknown {
  const meta = (obj as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (!meta?.managedFields) return obj;
  const { managedFields: _m, ...rest } = meta;
  return { ...(obj as object), metadata: rest };
}

/** authentication.k8s.io/v1 UserInfo from the authenticated user. */
export function userInfo(u: UserInfo): AuditUser {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

/** A Status response as the event's responseStatus (its code, else `fallbackCode`). */
export function statusOf(s: Status, fallbackCode: number): NonNullable<AuditEvent['responseStatus']> {
  return { metadata: {}, ...(s.status ? { status: s.status } : {}), ...(s.message ? { message: s.message } : {}), ...(s.reason ? { reason: s.reason } : {}), ...(s.details ? { details: s.details } : {}), code: s.code ?? fallbackCode };
}
