/**
 * What the collector does with one object, as a pure function of the graph (upstream
 * attemptToDeleteItem, orphanDependents and processDeletingDependentsItem):
 *
 * - an object deleted with the `orphan` finalizer: strip its uid from every dependent's
 *   ownerReferences, then drop the finalizer;
 * - an object deleted with `foregroundDeletion`: wait until no dependent with blockOwnerDeletion
 *   remains, then drop the finalizer (its dependents delete themselves, below);
 * - any other object being deleted: nothing;
 * - an object with owners: solid owners (present, not foreground-deleting) keep it, though references
 *   to absent or foreground-deleting owners are removed; with none solid it is deleted: in the
 *   foreground when an owner waits for it and it has dependents of its own (its ownerReferences made
 *   non-blocking first when one of those is itself foreground-deleting: a cycle), else with the policy its
 *   own finalizers ask for (Orphan, Foreground) or in the background.
 */
import type { OwnerReference } from '../../api/meta.js';
import { deletingDependents, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, orphaning, type GraphNode } from './graph.js';

/** How an ownerReference resolves: `solid` exists, `dangling` is gone (or another uid), `waiting` is foreground-deleting. */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

export type Action =
  | { type: 'none' }
  | { type: 'orphan'; dependents: GraphNode[] }
  | { type: 'removeFinalizer'; finalizer: string }
  | { type: 'removeOwnerRefs'; uids: string[] }
  /** `unblockOwners`: first set blockOwnerDeletion false on its ownerReferences (a possible cycle). */
  | { type: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan'; unblockOwners?: boolean };

const NONE: Action = { type: 'none' };

/**
 * The action for `item`. `ownerState` classifies each ownerReference (the caller verifies owners
 * missing from the graph against the API first); `dependents` are the objects naming `item`.
 */
export function decide(item: GraphNode, dependents: readonly GraphNode[], ownerState: (ref: OwnerReference) => OwnerState): Action {
  if (orphaning(item)) {
    const attached = dependents.filter((d) => d.owners.some((o) => o.uid === item.uid));
    return attached.length > 0 ? { type: 'orphan', dependents: attached } : { type: 'removeFinalizer', finalizer: FINALIZER_ORPHAN };
  }
  if (deletingDependents(item)) {
    const blocking = dependents.filter((d) => d.owners.some((o) => o.uid === item.uid && o.blockOwnerDeletion));
    return blocking.length > 0 ? NONE : { type: 'removeFinalizer', finalizer: FINALIZER_FOREGROUND };
  }
  if (item.deleting || item.owners.length === 0) return NONE;

  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const ref of item.owners) {
    const s = ownerState(ref);
    (s === 'solid' ? solid : s === 'dangling' ? dangling : waiting).push(ref);
  }
  if (solid.length > 0) {
    const gone = [...dangling, ...waiting].map((r) => r.uid);
    return gone.length > 0 ? { type: 'removeOwnerRefs', uids: gone } : NONE;
  }
  if (waiting.length > 0 && dependents.length > 0) {
    // A dependent already deleting its own dependents may be this object's owners coming round again
    // (a cycle): its references are made non-blocking first, so no owner in the cycle waits on it
    // forever (upstream's cycle guard in attemptToDeleteItem, false positives accepted).
    return dependents.some((d) => deletingDependents(d)) ? { type: 'delete', policy: 'Foreground', unblockOwners: true } : { type: 'delete', policy: 'Foreground' };
  }
  if (item.finalizers.includes(FINALIZER_ORPHAN)) return { type: 'delete', policy: 'Orphan' };
  if (item.finalizers.includes(FINALIZER_FOREGROUND)) return { type: 'delete', policy: 'Foreground' };
  return { type: 'delete', policy: 'Background' };
}

/** Classify an owner reference against the graph alone; `unknown` needs a live lookup. */
export function ownerStateInGraph(ref: OwnerReference, lookup: (uid: string) => GraphNode | undefined): OwnerState | 'unknown' {
  const owner = lookup(ref.uid);
  if (!owner) return 'unknown';
  return deletingDependents(owner) ? 'waiting' : 'solid';
}
