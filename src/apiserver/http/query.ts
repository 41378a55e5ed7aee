/**
 * Query parameters of list, watch and delete requests, parsed into the storage's terms (the options
 * of writes: write-options.ts). Booleans and integers go through the one conversion upstream applies
 * to all of them (src/api/query-params.ts); values that do not convert are 400s naming the
 * parameter, invalid options 422s on ListOptions or DeleteOptions, as kube-apiserver answers them.
 */
import { queryBool as bool, queryInt as int } from '../../api/query-params.js';
import { fe } from '../../api/schema/errors.js';
import { errors, type FieldError } from '../../api/status.js';
import { checkDeleteOptions } from '../storage/delete.js';
import type { DeleteOptions, ListQuery, WatchQuery } from '../storage/types.js';
import { dryRunErrors, optionsInvalid } from './write-options.js';

/** ListOptions fields of list, watch and deletecollection requests. */
function listFields(q: URLSearchParams): ListQuery {
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
  if (rvm) out.resourceVersionMatch = rvm as ListQuery['resourceVersionMatch'];
  return out;
}

/**
 * A list's options. resourceVersionMatch is checked against resourceVersion and continue where reads
 * are served (the storage's checkListOptions, 422 on ListOptions, as upstream's ValidateListOptions);
 * sendInitialEvents belongs to watches only.
 */
export function parseListQuery(q: URLSearchParams): ListQuery {
  if (q.has('sendInitialEvents')) throw optionsInvalid('ListOptions', [fe.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list')]);
  return listFields(q);
}

/**
 * A watch's options, with upstream's validateWatchOptions rules: sendInitialEvents needs
 * resourceVersionMatch NotOlderThan, which is the only match a watch takes, and only with
 * sendInitialEvents; every error found in one 422 on ListOptions.
 */
export function parseWatchQuery(q: URLSearchParams): WatchQuery {
  const out: WatchQuery = listFields(q);
  delete out.limit;
  delete out.continue;
  const t = int(q, 'timeoutSeconds');
  if (t !== undefined && t > 0) out.timeoutSeconds = t;
  const b = bool(q, 'allowWatchBookmarks');
  if (b !== undefined) out.allowWatchBookmarks = b;
  const s = bool(q, 'sendInitialEvents');
  if (s !== undefined) out.sendInitialEvents = s;
  const match = out.resourceVersionMatch as string | undefined;
  const errs: FieldError[] = [];
  if (s !== undefined && match !== 'NotOlderThan') errs.push(fe.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  if (match) {
    if (s === undefined) errs.push(fe.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') errs.push(fe.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (q.get('continue')) errs.push(fe.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  if (errs.length) throw optionsInvalid('ListOptions', errs);
  return out;
}

/** Whether the `watch` parameter is set (present and not "0"/"false" in any case). */
export function isWatch(q: URLSearchParams): boolean {
  return bool(q, 'watch') === true;
}

/**
 * Whether a GET on `p` is served (and authorized) as a watch: the legacy `/watch/` prefix, or
 * `watch` set on a collection. As upstream's RequestInfoFactory, which turns only a nameless `get`
 * into `list` or `watch`: a GET of one object (or of a subresource such as pods/proxy) with
 * `?watch=true` stays a `get`, served as one.
 */
export function isWatchRequest(p: { name?: string; watchPrefix: boolean }, q: URLSearchParams): boolean {
  return p.watchPrefix || (p.name === undefined && isWatch(q));
}

/**
 * DeleteOptions from the body when there is one (a DeleteOptions object, possibly empty), else from
 * the query: upstream's delete and deletecollection handlers decode one or the other, never both.
 */
export function parseDeleteOptions(q: URLSearchParams, body: unknown): { opts: DeleteOptions; dryRun: boolean } {
  const opts: DeleteOptions = {};
  let dryRun: unknown[];
  if (body === undefined) {
    const g = int(q, 'gracePeriodSeconds');
    if (g !== undefined) opts.gracePeriodSeconds = g;
    const p = q.get('propagationPolicy');
    if (p) opts.propagationPolicy = p as DeleteOptions['propagationPolicy'];
    const o = bool(q, 'orphanDependents');
    if (o !== undefined) opts.orphanDependents = o;
    dryRun = q.getAll('dryRun');
  } else {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a DeleteOptions object');
    const b = body as Record<string, unknown>;
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw errors.badRequest(`the request body must be a DeleteOptions object, not ${String(b.kind)}`);
    if (typeof b.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = b.gracePeriodSeconds;
    if (typeof b.propagationPolicy === 'string') opts.propagationPolicy = b.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof b.orphanDependents === 'boolean') opts.orphanDependents = b.orphanDependents;
    if (b.preconditions && typeof b.preconditions === 'object') opts.preconditions = b.preconditions as DeleteOptions['preconditions'];
    dryRun = Array.isArray(b.dryRun) ? b.dryRun : [];
  }
  const dryRunInvalid = dryRunErrors(dryRun);
  if (dryRunInvalid.length) throw optionsInvalid('DeleteOptions', dryRunInvalid);
  // ValidateDeleteOptions (422), also for a deletecollection that finds nothing to delete.
  checkDeleteOptions(opts);
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  return { opts, dryRun: dryRun.length > 0 };
}
