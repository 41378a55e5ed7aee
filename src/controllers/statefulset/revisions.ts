/**
 * A StatefulSet's revisions (upstream stateful_set_utils.go getPatch/newRevision/ApplyRevision and
 * stateful_set_control.go getStatefulSetRevisions): a revision holds the pod template as the strategic
 * merge patch `{"spec":{"template":{...,"$patch":"replace"}}}` (what `kubectl rollout undo` applies),
 * and carries the set's annotations (kubectl's CHANGE-CAUSE). Pure.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import {
  equalRevision, findEqualRevisions, newControllerRevision, nextRevision, sortControllerRevisions, type ControllerRevision,
} from '../../controller-runtime/workload/history.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

/** getPatch: the template, marked to replace the whole template when applied. */
export function revisionData(set: Readonly<StatefulSet>): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** newRevision: revision number `revision`, named by hash with `collisionCount`. */
export function newRevision(set: Readonly<StatefulSet>, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, 'apps/v1', 'StatefulSet', set.spec?.template?.metadata?.labels, revisionData(set), revision, collisionCount);
  cr.metadata.annotations = { ...cr.metadata.annotations, ...set.metadata.annotations };
  return cr;
}

/** ApplyRevision: the set with the revision's template (a copy). */
export function applyRevision(set: Readonly<StatefulSet>, revision: Readonly<ControllerRevision>): StatefulSet {
  const out = copyOf(set);
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = structuredClone(data?.spec?.template);
  if (template) {
    delete template.$patch;
    out.spec = { ...out.spec!, template: template as NonNullable<StatefulSet['spec']>['template'] };
  }
  return out;
}

/** What getStatefulSetRevisions must do for the update revision. */
export type UpdateRevisionPlan =
  | { kind: 'reuse'; revision: Readonly<ControllerRevision> }
  | { kind: 'renumber'; revision: Readonly<ControllerRevision>; to: number }
  | { kind: 'create'; revision: ControllerRevision };

/**
 * The update revision: the newest revision when it already equals the template; an older equal one
 * renumbered to the next number (a rollback); else a new one.
 */
export function planUpdateRevision(set: Readonly<StatefulSet>, revisions: readonly Readonly<ControllerRevision>[]): UpdateRevisionPlan {
  const sorted = sortControllerRevisions(revisions);
  const candidate = newRevision(set, nextRevision(sorted), set.status?.collisionCount ?? 0);
  const equal = findEqualRevisions(sorted, candidate);
  const last = equal[equal.length - 1];
  if (last && equalRevision(sorted[sorted.length - 1], last)) return { kind: 'reuse', revision: sorted[sorted.length - 1]! };
  if (last) return { kind: 'renumber', revision: last, to: candidate.revision! };
  return { kind: 'create', revision: candidate };
}

/** The revision named by status.currentRevision, else the update revision (history starts there). */
export function currentRevisionOf(set: Readonly<StatefulSet>, revisions: readonly Readonly<ControllerRevision>[], update: Readonly<ControllerRevision>): Readonly<ControllerRevision> {
  return revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
}
