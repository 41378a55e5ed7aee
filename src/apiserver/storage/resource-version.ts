/**
 * resourceVersion query semantics for reads: "" is the most recent state, "0" any state (we serve
 * the current one), N with Exact exactly revision N, N otherwise any state at least as new as N
 * (waiting up to 3 s for it, then 504 as kube-apiserver's "Too large resource version").
 */
import { errors, failure } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import type { ListQuery } from './types.js';

const WAIT_MS = 3000;
const POLL_MS = 25;

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) {
    throw failure(400, 'BadRequest', `Invalid value: "${rv}": resourceVersion must be a non-negative integer`);
  }
  return Number(rv);
}

/** Validate resourceVersionMatch against resourceVersion as ValidateListOptions does (422 on ListOptions). */
export function checkListOptions(q: ListQuery): void {
  const match = q.resourceVersionMatch;
  const rv = q.resourceVersion ?? '';
  const bad = (detail: string) =>
    failure(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: ${detail}`, {
      group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', message: detail, field: 'resourceVersionMatch' }],
    });
  if (match !== undefined && (match as string) !== '') {
    if (match !== 'Exact' && match !== 'NotOlderThan') throw bad(`Unsupported value: "${match}"`);
    if (rv === '') throw bad('Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (q.continue) throw bad('Forbidden: resourceVersionMatch is forbidden when continue is provided');
    if (match === 'Exact' && rv === '0') throw bad('Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (q.continue && rv !== '' && rv !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
}

/** Wait until the store has reached `revision` (NotOlderThan reads of a future revision). */
export async function waitForRevision(store: Store, revision: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (store.currentRevision() < revision) {
    if (Date.now() >= deadline || signal?.aborted) {
      throw failure(504, 'Timeout', `Too large resource version: ${revision}, current: ${store.currentRevision()}`, { retryAfterSeconds: 1 });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
