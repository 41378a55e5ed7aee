/**
 * resourceVersion query semantics for reads: "" is the most recent state, "0" any state (we serve
 * the current one), N with Exact exactly revision N, N otherwise any state at least as new as N
 * (waiting up to 3 s for it, then 504 as kube-apiserver's "Too large resource version").
 */
import { fe } from '../../api/schema/errors.js';
import { errors, failure, type FieldError } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import { optionsInvalid } from './errors.js';
import type { ListQuery } from './types.js';

const WAIT_MS = 3000;
const POLL_MS = 25;

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) {
    throw failure(400, 'BadRequest', `Invalid value: "${rv}": resourceVersion must be a non-negative integer`);
  }
  return Number(rv);
}

/**
 * Validate resourceVersionMatch against resourceVersion and continue as ValidateListOptions does: every
 * error found, in upstream's order, in one 422 on ListOptions.
 */
export function checkListOptions(q: ListQuery): void {
  const match = q.resourceVersionMatch as string | undefined;
  const rv = q.resourceVersion ?? '';
  const errs: FieldError[] = [];
  if (match) {
    if (rv === '') errs.push(fe.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (q.continue) errs.push(fe.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(fe.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0') errs.push(fe.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (errs.length) throw optionsInvalid('ListOptions', errs);
  if (q.continue && rv !== '' && rv !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
}

/** Wait until the store has reached `revision` (NotOlderThan reads of a future revision). */
export async function waitForRevision(store: Store, revision: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (store.currentRevision() < revision) {
    if (Date.now() >= deadline || signal?.aborted) {
      // The cause is what client-go's IsTooLargeResourceVersion looks for (storage.NewTooLargeResourceVersionError).
      throw failure(504, 'Timeout', `Too large resource version: ${revision}, current: ${store.currentRevision()}`, {
        retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
