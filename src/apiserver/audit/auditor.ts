/**
 * The audit log (kube-apiserver's --audit-policy-file / --audit-log-path): one audit.k8s.io/v1
 * Event per stage of each request the policy picks, as upstream's filters write them
 * (staging/src/k8s.io/apiserver/pkg/endpoints/filters/audit.go, pkg/audit/request.go):
 * RequestReceived when the request arrives, ResponseStarted when a long-running request (watch,
 * logs, exec) sends its headers, ResponseComplete when the answer ends. The level decides what an
 * event carries: Metadata (user, verb, objectRef, responseStatus, timestamps), Request (+ the
 * request object), RequestResponse (+ the response object). Secrets, TokenRequests and
 * TokenReviews are never logged above Metadata whatever the policy says (their bodies hold the
 * secret data or tokens: upstream's advice, enforced here). The router's authorization decision
 * becomes the annotations authorization.k8s.io/decision and authorization.k8s.io/reason; admission
 * adds its own (a webhook's auditAnnotations as `<webhook name>/<key>`) through the request's map
 * (audit-context.ts), which every stage after it carries.
 *
 * A request whose authentication failed (no user: a bad token or certificate, or no credential with
 * --anonymous-auth=false) is audited as upstream's WithFailedAuthenticationAudit does: the policy
 * is evaluated without a user (rules naming users or groups do not match), and its one event is
 * ResponseStarted with `user: {}` and the 401 with the kinds of credential tried (failed-authn.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../../api/status.js';
import type { UserInfo } from '../http/authn.js';
import type { ResourcePath } from '../http/request-info.js';
import { requestVerb } from '../authz/attributes.js';
import { registerAuditAnnotations, registerAuditBodies } from './audit-context.js';
import { failedAuthenticationMessage } from './failed-authn.js';
import { AuditLogFile, type AuditLogOptions } from './log-file.js';
import { evaluatePolicy, LEVELS, type AuditLevel, type AuditPolicy, type AuditStage } from './policy.js';
import { microTime, sourceIPs, statusOf, userInfo, withoutManagedFields, type AuditEvent } from './audit-event.js';

export type { AuditEvent, AuditUser } from './audit-event.js';

/** Resources whose bodies never reach the log: Secret data, issued and reviewed tokens. */
const METADATA_ONLY = new Set(['/secrets', '/serviceaccounts/token', 'authentication.k8s.io/tokenreviews']);

function atLeast(level: AuditLevel, min: AuditLevel): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

export interface AuditorOptions extends AuditLogOptions {
  policy: AuditPolicy;
}

/** One request's audit record: what the router and the body hooks tell it. */
export interface AuditRecord {
  /** The router's authorization outcome (annotations). */
  decision(allowed: boolean, reason: string): void;
  /** The user an Impersonate-* request acts as (upstream's LogImpersonatedUser). */
  impersonated(user: UserInfo): void;
}

export class Auditor {
  private readonly file: AuditLogFile;

  constructor(private readonly o: AuditorOptions) {
    this.file = new AuditLogFile(o);
  }

  /** Rotated log files, newest first. */
  backups(): string[] {
    return this.file.backups();
  }

  close(): void {
    this.file.close();
  }

  /** The event, its level and how to emit a stage; undefined when the policy says None. */
  private start(req: IncomingMessage, user: UserInfo | undefined, url: URL, p: ResourcePath | undefined): Started | undefined {
    const method = req.method ?? 'GET';
    const verb = p ? requestVerb(method, p, url.searchParams) : method.toLowerCase();
    const decision = evaluatePolicy(this.o.policy, {
      user: user?.name ?? '', groups: user?.groups ?? [], verb, path: url.pathname,
      resource: p && { group: p.group, resource: p.resource, subresource: p.subresource, namespace: p.namespace ?? (p.resource === 'namespaces' ? p.name : undefined), name: p.name },
    });
    let level = decision.level;
    if (level === 'None') return undefined;
    if (p && atLeast(level, 'Request') && METADATA_ONLY.has(`${p.group}/${p.subresource ? `${p.resource}/${p.subresource}` : p.resource}`)) level = 'Metadata';
    const auditID = typeof req.headers['audit-id'] === 'string' && req.headers['audit-id'] ? req.headers['audit-id'] : randomUUID();
    const ev: AuditEvent = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID, stage: 'RequestReceived', requestURI: req.url ?? '/', verb,
      user: user ? userInfo(user) : {},
      sourceIPs: sourceIPs(req),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(p ? { objectRef: {
        resource: p.resource, ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.name ? { name: p.name } : {}),
        ...(p.group ? { apiGroup: p.group } : {}), apiVersion: p.version, ...(p.subresource ? { subresource: p.subresource } : {}),
      } } : {}),
      requestReceivedTimestamp: microTime(), stageTimestamp: '',
    };
    const omit = new Set(decision.omitStages);
    const admission = new Map<string, string>();
    registerAuditAnnotations(req, admission, level);
    const emit = (stage: AuditStage): void => {
      if (omit.has(stage)) return;
      const annotations = admission.size > 0 ? { ...Object.fromEntries(admission), ...ev.annotations } : ev.annotations;
      this.file.write(JSON.stringify({ ...ev, stage, stageTimestamp: microTime(), ...(annotations ? { annotations } : {}) }));
    };
    const record: AuditRecord = {
      decision(allowed, reason) {
        ev.annotations = { ...ev.annotations, 'authorization.k8s.io/decision': allowed ? 'allow' : 'forbid', 'authorization.k8s.io/reason': reason };
      },
      impersonated(who) {
        ev.impersonatedUser = userInfo(who);
      },
    };
    if (!user) {
      // Only the ResponseStarted event, when the 401 is written (upstream's processCode).
      ev.responseStatus = { metadata: {}, message: failedAuthenticationMessage(req, url), code: 0 };
      return { ev, level, emit, strip: (obj) => obj, record, failed: true };
    }
    emit('RequestReceived');
    return { ev, level, emit, strip: (obj) => (decision.omitManagedFields ? withoutManagedFields(obj) : obj), record, failed: false };
  }

  /**
   * Starts auditing a request once its user and path are known (before the in-flight limit and
   * authorization, as upstream's filter order); undefined when the policy says None.
   */
  begin(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined, url: URL, p: ResourcePath | undefined, longRunning: boolean): AuditRecord | undefined {
    const s = this.start(req, user, url, p);
    if (!s) return undefined;
    const { ev, level, emit, strip } = s;
    if (!res.headersSent) res.setHeader('Audit-Id', ev.auditID);
    if (s.failed) {
      let sent = false;
      // Only the 401 is the failed handler's answer: k3s's own handlers (node join, /cacerts)
      // answer requests without a user before it, outside the audited chain.
      const started = (): void => {
        if (sent || res.statusCode !== 401) return;
        sent = true;
        ev.responseStatus!.code = res.statusCode;
        emit('ResponseStarted');
      };
      res.once('finish', started);
      res.once('close', started);
      return s.record;
    }
    registerAuditBodies(req, res, {
      requestObject: (obj) => {
        const meta = (obj as { metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string } } | null)?.metadata;
        if (ev.objectRef && meta && typeof meta === 'object') {
          ev.objectRef.namespace ||= meta.namespace || undefined;
          ev.objectRef.name ||= meta.name || undefined;
          ev.objectRef.uid ||= meta.uid || undefined;
          ev.objectRef.resourceVersion ||= meta.resourceVersion || undefined;
        }
        if (atLeast(level, 'Request')) ev.requestObject = strip(obj);
      },
      responseObject: (obj) => {
        if ((obj as { kind?: string } | null)?.kind === 'Status') ev.responseStatus = statusOf(obj as Status, res.statusCode);
        if (level === 'RequestResponse') ev.responseObject = strip(obj);
      },
    });
    if (longRunning) {
      const writeHead = res.writeHead;
      let started = false;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        const out = (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
        if (!started) {
          started = true;
          ev.responseStatus ??= { metadata: {}, code: res.statusCode };
          emit('ResponseStarted');
        }
        return out;
      } as typeof res.writeHead;
    }
    let done = false;
    const complete = (): void => {
      if (done) return;
      done = true;
      if (!ev.responseStatus || ev.responseStatus.code !== res.statusCode) ev.responseStatus = { ...(ev.responseStatus ?? { metadata: {} }), code: res.statusCode };
      emit('ResponseComplete');
    };
    res.once('finish', complete);
    res.once('close', complete);
    return s.record;
  }

  /**
   * Audits an upgrade request (exec, attach, port-forward over SPDY or WebSocket, WebSocket
   * watches): the status line of the first bytes written on the socket gives the code,
   * ResponseStarted when it is 101, ResponseComplete when the connection closes (a refusal's JSON
   * Status body gives reason and message).
   */
  beginUpgrade(req: IncomingMessage, socket: Duplex, user: UserInfo | undefined, url: URL, p: ResourcePath | undefined): AuditRecord | undefined {
    const s = this.start(req, user, url, p);
    if (!s) return undefined;
    const { ev, emit } = s;
    let sniffed = false;
    const sniff = (chunk: unknown): void => {
      if (sniffed || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      sniffed = true;
      const text = Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk);
      const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      if (s.failed) {
        ev.responseStatus!.code = code;
        if (code === 401) emit('ResponseStarted');
        return;
      }
      if (code === 101) {
        ev.responseStatus = { metadata: {}, code };
        emit('ResponseStarted');
        return;
      }
      let body: Status | undefined;
      try {
        body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Status;
      } catch {
        body = undefined;
      }
      ev.responseStatus = body?.kind === 'Status' ? statusOf(body, code) : { metadata: {}, code };
    };
    const { write, end } = socket;
    socket.write = function (this: Duplex, ...args: unknown[]) {
      sniff(args[0]);
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof socket.write;
    socket.end = function (this: Duplex, ...args: unknown[]) {
      sniff(args[0]);
      return (end as (...a: unknown[]) => Duplex).apply(this, args);
    } as typeof socket.end;
    if (!s.failed) socket.once('close', () => emit('ResponseComplete'));
    return s.record;
  }
}

interface Started {
  ev: AuditEvent;
  level: AuditLevel;
  emit(stage: AuditStage): void;
  strip(obj: unknown): unknown;
  record: AuditRecord;
  /** Authentication failed: one ResponseStarted event, no bodies. */
  failed: boolean;
}

/** Runs the router's authorization and notes its outcome on the record. */
export async function authorizeAudited(record: AuditRecord | undefined, authorize: () => Promise<unknown>): Promise<void> {
  if (!record) {
    await authorize();
    return;
  }
  try {
    const result = await authorize();
    const reason = (result as { reason?: unknown } | undefined)?.reason;
    record.decision(true, typeof reason === 'string' ? reason : '');
  } catch (err) {
    // Upstream's RBAC gives no reason for a denial; an authorizer that has one attaches it.
    const e = err as { status?: { code?: number }; authorizerReason?: unknown };
    if (e.status?.code === 403) record.decision(false, typeof e.authorizerReason === 'string' ? e.authorizerReason : '');
    throw err;
  }
}
