/**
 * The namespace controller's status conditions (upstream namespace_deleter.go), as a pure function
 * of what one deletion pass found: content left, finalizers left on it, and failures.
 */
import type { Namespace } from '../../api/kinds/index.js';

type Condition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

/** What one pass over the namespace's resources found. */
export interface PassResult {
  /** Objects still present, by group-resource (`pods`, `replicasets.apps`). */
  remaining: Map<string, number>;
  /** Finalizers on the remaining objects, with how many objects carry each. */
  finalizers: Map<string, number>;
  /** Resources whose deletion or listing failed, with the error. */
  failures: Map<string, string>;
}

/** `pods has 2 resource instances, replicasets.apps has 1 resource instances` (joined with `verb`). */
const describe = (m: Map<string, number>, verb: string) =>
  [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${verb} ${n} resource instances`).join(', ');

/** The five conditions upstream reports while a namespace terminates. */
export function namespaceConditions(r: PassResult): Omit<Condition, 'lastTransitionTime'>[] {
  const failed = [...r.failures.entries()].sort(([a], [b]) => a.localeCompare(b));
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    failed.length > 0
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failed.length} remaining: ${failed.map(([, e]) => e).join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    r.remaining.size > 0
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${describe(r.remaining, 'has')}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    r.finalizers.size > 0
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${describe(r.finalizers, 'in')}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

/**
 * Merge new conditions into the current ones: lastTransitionTime changes only when the status
 * does. Returns undefined when nothing changed (so no write is needed).
 */
export function mergeConditions(current: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>[], now: string): Condition[] | undefined {
  let changed = false;
  const out = next.map((n) => {
    const old = current.find((c) => c.type === n.type);
    if (old && old.status === n.status && old.reason === n.reason && old.message === n.message) return old;
    changed = true;
    return { ...n, lastTransitionTime: old && old.status === n.status ? old.lastTransitionTime : now };
  });
  for (const c of current) if (!next.some((n) => n.type === c.type)) out.push(c);
  return changed ? out : undefined;
}
