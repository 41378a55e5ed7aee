/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins, as upstream's
 * apiserver/pkg/admission/plugin/webhook/{mutating,validating}/dispatcher.go: webhooks of every
 * configuration (sorted by configuration name, then in order) that match the request's rules,
 * namespace and object selectors and matchConditions are called; mutating ones one after another,
 * each JSONPatch applied to the object the next one sees, with IfNeeded webhooks called once more
 * when a later webhook changed the object; validating ones in parallel. A call that fails (or a
 * response the webhook got wrong: webhook-patch.ts) is ignored under failurePolicy Ignore and
 * refuses the request (500) under Fail; a patch that does not apply refuses it (500) under either.
 * Mutating webhooks are called on DELETE too, without an object (they may refuse, not patch). A refusal is
 * upstream's `admission webhook "x" denied the request: ...` (code from the response, 400 at
 * least). Warnings go to the client's Warning headers, audit annotations (`<webhook name>/<key>`) to
 * the request's audit event, with the dispatchers' own (webhook-audit.ts: mutation, patch, failed open).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../api/meta.js';
import { failure, StatusError, type StatusReason } from '../../../api/status.js';
import type { MutatingWebhook } from '../../../api/kinds/admissionregistration/webhook-configuration.js';
import type { Store } from '../../../store/types.js';
import type { RequestContext } from '../../storage/types.js';
import { addAuditAnnotation } from '../audit-annotations.js';
import type { AdmissionRequest } from './admission-review.js';
import { matchConditions } from './cel.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type AdmissionRequestInfo } from './matching.js';
import { callWebhook, WebhookCallError, type AdmissionResponse } from './webhook-client.js';
import { MutationAnnotator, validatingFailedOpen, type WebhookOrigin } from './webhook-audit.js';
import { applyWebhookPatch, verifyPatchFields, webhookPatch } from './webhook-patch.js';

/** A webhook of either kind (validating ones have no reinvocationPolicy). */
export type Webhook = MutatingWebhook;

/** The webhooks that apply to this request (rules, selectors; matchConditions come at call time). */
export async function matchingWebhooks(hooks: readonly Webhook[], r: AdmissionRequestInfo): Promise<Webhook[]> {
  const out: Webhook[] = [];
  for (const h of hooks) {
    if (!(h.rules ?? []).some((rule) => ruleMatches(rule, r))) continue;
    if (!objectSelectorMatches(h.objectSelector, r.attrs)) continue;
    if (!(await namespaceSelectorMatches(h.namespaceSelector, r))) continue;
    out.push(h);
  }
  return out;
}

function denied(name: string, resp: AdmissionResponse): StatusError {
  const st = resp.status ?? {};
  const by = `admission webhook "${name}" denied the request`;
  const message = st.message ? `${by}: ${st.message}` : st.reason ? `${by}: ${st.reason}` : `${by} without explanation`;
  const code = (st.code ?? 0) < 400 ? 400 : st.code!;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code, ...(st.reason ? { reason: st.reason as StatusReason } : {}), ...(st.details ? { details: st.details as never } : {}) });
}

function callFailed(name: string, err: unknown): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: failed calling webhook "${name}": ${(err as Error).message}`);
}

/**
 * matchConditions, as upstream's ShouldCallHook: whether `h` is called for `req`; an evaluation
 * error skips it under failurePolicy Ignore and refuses the request under Fail.
 */
function shouldCall(h: Webhook, req: AdmissionRequest): boolean {
  const mc = matchConditions(h.matchConditions, { object: req.object, oldObject: req.oldObject, request: req });
  if (!mc.error) return mc.matches;
  if (h.failurePolicy === 'Ignore') return false;
  throw callFailed(h.name, new Error(mc.error));
}

/**
 * Calls a webhook that is to be called and hands its allowing response to `allowed`. Returns what
 * that gives, or undefined when a failure to call the webhook (WebhookCallError, from the call or
 * from `allowed`) is ignored under failurePolicy Ignore (`failedOpen` is told, for the audit
 * event); throws the refusal, the failure under Fail, or any other error of `allowed` whatever the
 * policy (upstream's dispatchers ignore only ErrCallingWebhook).
 */
async function call<T>(
  store: Store, h: Webhook, req: AdmissionRequest, ctx: RequestContext, failedOpen: () => void, mutating: boolean, allowed: (resp: AdmissionResponse) => T,
): Promise<T | undefined> {
  // v1 allows only None and NoneOnDryRun; a stored Some/Unknown (older versions) refuses dry runs, as upstream.
  if (req.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
    throw failure(400, 'BadRequest', `admission webhook "${h.name}" does not support dry run`);
  }
  const callFailure = (err: unknown): undefined => {
    if (h.failurePolicy !== 'Ignore') throw callFailed(h.name, err);
    failedOpen();
    return undefined;
  };
  let resp: AdmissionResponse;
  try {
    resp = await callWebhook(store, h.clientConfig ?? {}, h.timeoutSeconds ?? 10, req);
    verifyPatchFields(resp, mutating);
  } catch (err) {
    if (!(err instanceof WebhookCallError) && !(err instanceof Error)) throw err;
    return callFailure(err);
  }
  // Recorded whether the webhook allows or refuses, as upstream's dispatchers do (a bad key is skipped).
  for (const [k, v] of Object.entries(resp.auditAnnotations ?? {})) if (typeof v === 'string') addAuditAnnotation(ctx, `${h.name}/${k}`, v);
  for (const w of resp.warnings ?? []) ctx.warnings.push(w);
  if (!resp.allowed) throw denied(h.name, resp);
  try {
    return allowed(resp);
  } catch (err) {
    if (!(err instanceof WebhookCallError)) throw err;
    return callFailure(err);
  }
}

/**
 * Runs the mutating webhooks; returns the patched object, or undefined when none changed it.
 * `origin` places each webhook in the dispatcher's list (its audit annotations' keys).
 */
export async function runMutating(
  store: Store, hooks: Webhook[], req: AdmissionRequest, ctx: RequestContext, origin: (h: Webhook) => WebhookOrigin,
): Promise<KubeObject | undefined> {
  // A DELETE has no object (upstream's delete handler admits with the old one only): its webhooks
  // are called, may refuse, and may not patch (webhook-patch.ts).
  let obj = req.object;
  let changed = false;
  const lastSeen = new Map<Webhook, string>();
  const callOne = async (h: Webhook, round: number): Promise<void> => {
    const current = { ...req, object: obj };
    if (!shouldCall(h, current)) return;
    const annotator = new MutationAnnotator(ctx, h.name, origin(h), round);
    let mutated = false;
    try {
      const ops = await call(store, h, current, ctx, () => annotator.failedOpen(), true, (resp) => webhookPatch(h.name, resp, obj) ?? null);
      if (ops === undefined) return; // failed open
      if (ops && obj) {
        const next = applyWebhookPatch(obj, ops);
        mutated = !isDeepStrictEqual(obj, next);
        obj = next;
        changed = true;
        annotator.patch(ops);
      }
      if (h.reinvocationPolicy === 'IfNeeded') lastSeen.set(h, JSON.stringify(obj));
    } finally {
      annotator.mutation(mutated);
    }
  };
  for (const h of hooks) await callOne(h, 0);
  // Reinvocation (round 1): once more for each IfNeeded webhook whose output a later webhook changed.
  for (const h of hooks) {
    const seen = lastSeen.get(h);
    if (seen !== undefined && seen !== JSON.stringify(obj)) await callOne(h, 1);
  }
  return changed && obj ? obj : undefined;
}

/**
 * Runs the validating webhooks whose matchConditions hold in parallel; the first refusal (in
 * configuration order) wins.
 */
export async function runValidating(store: Store, hooks: Webhook[], req: AdmissionRequest, ctx: RequestContext): Promise<void> {
  const called = hooks.filter((h) => shouldCall(h, req));
  const results = await Promise.allSettled(called.map((h, i) => call(store, h, req, ctx, () => validatingFailedOpen(ctx, h.name, i), false, () => undefined)));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}
