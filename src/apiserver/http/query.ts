/**
 * Query parameters of resource requests, parsed into the storage's terms. Booleans and integers go
 * through the one conversion upstream applies to all of them (src/api/query-params.ts). Invalid
 * values are 400s naming the parameter, as kube-apiserver answers them; invalid option combinations
 * 422s on the options kind (PatchOptions), as its ValidatePatchOptions.
 */
import { queryBool as bool, queryInt as int } from '../../api/query-params.js';
import { errors } from '../../api/status.js';
import type { DeleteOptions, FieldValidation, ListQuery, PatchType, WatchQuery } from '../storage/types.js';

/** dryRun: only `All` is defined; an empty value means no dry run. */
export function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun').filter((v) => v !== '');
  for (const v of values) if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${v}; supported values are: All`);
  return values.length > 0;
}

/** fieldValidation: Strict, Warn or Ignore; the server's default is Warn. */
export function parseFieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict" (got ${JSON.stringify(v)})`);
}

/** fieldManager, defaulting to the user agent's program name (the part before '/'), as upstream does. */
export function parseFieldManager(q: URLSearchParams, userAgent: string | undefined): string | undefined {
  const v = q.get('fieldManager');
  if (v) {
    if (v.length > 128) throw errors.badRequest('fieldManager: Too long: may not be longer than 128');
    return v;
  }
  const prog = (userAgent ?? '').split('/')[0]?.trim();
  return prog ? prog.slice(0, 128) : undefined;
}

export function parseListQuery(q: URLSearchParams): ListQuery {
  const out: ListQuery = {};
  const ls = q.get('labelSelector');
  if (ls) out.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs) out.fieldSelector = fs;
  const limit = int(q, 'limit');
  if (limit !== undefined && limit > 0) out.limit = limit;
  const cont = q.get('continue');
  if (cont) out.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '') out.resourceVersion = rv;
  const rvm = q.get('resourceVersionMatch');
  if (rvm) {
    if (rvm !== 'NotOlderThan' && rvm !== 'Exact') throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan"`);
    if (out.resourceVersion === undefined) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    out.resourceVersionMatch = rvm;
  }
  return out;
}

export function parseWatchQuery(q: URLSearchParams): WatchQuery {
  const out: WatchQuery = parseListQuery(q);
  delete out.limit;
  delete out.continue;
  const t = int(q, 'timeoutSeconds');
  if (t !== undefined && t > 0) out.timeoutSeconds = t;
  const b = bool(q, 'allowWatchBookmarks');
  if (b !== undefined) out.allowWatchBookmarks = b;
  const s = bool(q, 'sendInitialEvents');
  if (s !== undefined) out.sendInitialEvents = s;
  return out;
}

/** Whether a GET is a watch (`watch` present and not "0"/"false" in any case). */
export function isWatch(q: URLSearchParams): boolean {
  return bool(q, 'watch') === true;
}

const patchOptions = { group: 'meta.k8s.io', kind: 'PatchOptions', name: '' };

/**
 * PatchOptions beyond dryRun/fieldManager/fieldValidation, checked as upstream's
 * ValidatePatchOptions: `force` (present at all) is forbidden on non-apply patches, and apply needs
 * an explicit fieldManager (no user-agent default).
 */
export function parsePatchOptions(q: URLSearchParams, type: PatchType): { force: boolean } {
  const force = bool(q, 'force');
  if (type !== 'apply' && force !== undefined) {
    throw errors.invalid(patchOptions, [{ type: 'FieldValueForbidden', field: 'force', detail: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  if (type === 'apply' && !q.get('fieldManager')) {
    throw errors.invalid(patchOptions, [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'Required value: is required for apply patch' }]);
  }
  return { force: force ?? false };
}

const policies = new Set(['Orphan', 'Background', 'Foreground']);

/**
 * DeleteOptions from the body (a DeleteOptions object, possibly empty) merged over query parameters;
 * the body wins, as upstream decodes the body after the query.
 */
export function parseDeleteOptions(q: URLSearchParams, body: unknown): { opts: DeleteOptions; dryRun: boolean } {
  const opts: DeleteOptions = {};
  const g = int(q, 'gracePeriodSeconds');
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const p = q.get('propagationPolicy');
  if (p) opts.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  const o = bool(q, 'orphanDependents');
  if (o !== undefined) opts.orphanDependents = o;
  let dryRun = parseDryRun(q);
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a DeleteOptions object');
    const b = body as Record<string, unknown>;
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw errors.badRequest(`the request body must be a DeleteOptions object, not ${String(b.kind)}`);
    if (typeof b.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = b.gracePeriodSeconds;
    if (typeof b.propagationPolicy === 'string') opts.propagationPolicy = b.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof b.orphanDependents === 'boolean') opts.orphanDependents = b.orphanDependents;
    if (b.preconditions && typeof b.preconditions === 'object') opts.preconditions = b.preconditions as DeleteOptions['preconditions'];
    if (Array.isArray(b.dryRun)) {
      for (const v of b.dryRun) if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${String(v)}; supported values are: All`);
      dryRun ||= b.dryRun.length > 0;
    }
  }
  if (opts.propagationPolicy !== undefined && !policies.has(opts.propagationPolicy)) {
    throw errors.badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  return { opts, dryRun };
}
