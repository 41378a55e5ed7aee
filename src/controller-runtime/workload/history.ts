/**
 * Controller history (upstream pkg/controller/history): the ControllerRevisions a DaemonSet or
 * StatefulSet keeps of its pod template, for rollout and rollback. Pure helpers (naming, hashing,
 * equality, sorting, truncation) plus `RevisionWriter`, the few writes, which take a client.
 *
 * A revision's `data` is the JSON object the owner snapshotted (upstream's RawExtension); hashing
 * and equality use its canonical JSON (sorted keys), standing in for upstream's Data.Raw bytes.
 */
import type { ControllerRevision } from '../../api/kinds/apps/controller-revision.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { LabelSelectorObject } from '../../api/selectors/index.js';
import { isAlreadyExists, isConflict } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { controllerOf, executeClaims, planClaims } from './controller-ref.js';
import { canonicalJson, fnv32a, safeEncodeString } from './hash.js';
import { controllerRef } from './pod-template.js';

export type { ControllerRevision } from '../../api/kinds/apps/controller-revision.js';

/** history.ControllerRevisionHashLabel: the hash NewControllerRevision puts on a revision. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters so the name fits 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** HashControllerRevision: FNV-32a of the data, then of the collision count's decimal digits when given. */
export function hashControllerRevision(cr: Pick<ControllerRevision, 'data'>, collisionCount?: number): string {
  let text = cr.data === undefined || cr.data === null ? '' : canonicalJson(cr.data);
  if (collisionCount !== undefined && collisionCount !== null) text += String(collisionCount);
  return safeEncodeString(String(fnv32a(Buffer.from(text, 'utf8'))));
}

/**
 * NewControllerRevision: a revision of `parent` holding `data`, labelled with the template's labels
 * plus the hash label, owned (controller ref) by the parent, named `<parent>-<hash>`.
 */
export function newControllerRevision(
  parent: Readonly<KubeObject>, parentApiVersion: string, parentKind: string, templateLabels: Readonly<Record<string, string>> | undefined,
  data: unknown, revision: number, collisionCount?: number,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { namespace: parent.metadata.namespace, labels: { ...templateLabels }, ownerReferences: [controllerRef(parent, parentApiVersion, parentKind)] },
    data: structuredClone(data), revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata.name = controllerRevisionName(parent.metadata.name!, hash);
  cr.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/** EqualRevision: same hash label when both carry one, else the same data. */
export function equalRevision(a: Readonly<ControllerRevision> | undefined, b: Readonly<ControllerRevision> | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha && hb) return ha === hb;
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

/** FindEqualRevisions: the revisions equal to `needle`. */
export function findEqualRevisions<T extends Readonly<ControllerRevision>>(revisions: readonly T[], needle: Readonly<ControllerRevision>): T[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** SortControllerRevisions: by revision, then creation time, then name (a sorted copy). */
export function sortControllerRevisions<T extends Readonly<ControllerRevision>>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) =>
    (a.revision ?? 0) - (b.revision ?? 0)
    || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** NextRevision: one more than the highest revision, 1 for none. */
export function nextRevision(revisions: readonly Readonly<ControllerRevision>[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
}

/**
 * Which old revisions to delete to keep at most `limit` (revisionHistoryLimit): oldest first,
 * skipping those `inUse` says live pods (or the current/update revision) still need, as the
 * DaemonSet's cleanupHistory and the StatefulSet's truncateHistory do.
 */
export function revisionsToTruncate<T extends Readonly<ControllerRevision>>(old: readonly T[], limit: number, inUse: (r: T) => boolean): T[] {
  let toKill = old.length - Math.max(0, limit);
  const out: T[] = [];
  for (const r of sortControllerRevisions(old)) {
    if (toKill <= 0) break;
    if (inUse(r)) continue;
    out.push(r);
    toKill--;
  }
  return out;
}

/** Revisions controlled by `parent` (by uid) among `candidates`, without adoption. */
export function ownedRevisions<T extends Readonly<ControllerRevision>>(parent: Readonly<KubeObject>, candidates: readonly T[]): T[] {
  return candidates.filter((r) => r.metadata.namespace === parent.metadata.namespace && controllerOf(r)?.uid === parent.metadata.uid);
}

/** The writes history needs, bound to one namespace. Failures other than those handled reject. */
export class RevisionWriter {
  constructor(private readonly client: KubeClient, private readonly namespace: string) {}

  private get api() {
    return this.client.resource<ControllerRevision>(resources.controllerrevisions, this.namespace);
  }

  /**
   * CreateControllerRevision: create `revision` named by its hash with `collision.count`; when the
   * name is taken by a revision with other data, bump `collision.count` and try the next name. An
   * existing revision with the same data is returned as is. The caller persists the new count
   * (status.collisionCount) when it changed.
   */
  async create(parent: Readonly<KubeObject>, revision: Readonly<ControllerRevision>, collision: { count: number }): Promise<ControllerRevision> {
    for (;;) {
      const clone = structuredClone(revision);
      const hash = hashControllerRevision(clone, collision.count);
      clone.metadata.name = controllerRevisionName(parent.metadata.name!, hash);
      clone.metadata.namespace = parent.metadata.namespace;
      clone.metadata.labels = { ...clone.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash };
      try {
        return await this.api.create(clone);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const exists = await this.api.get(clone.metadata.name);
        if (canonicalJson(exists.data ?? null) === canonicalJson(clone.data ?? null)) return exists;
        collision.count++;
      }
    }
  }

  /** UpdateControllerRevision: set `revision` (the number; data is immutable), re-reading on conflict. */
  async updateRevisionNumber(cr: Readonly<ControllerRevision>, revision: number): Promise<ControllerRevision> {
    let current = structuredClone(cr);
    for (let attempt = 0; ; attempt++) {
      if (current.revision === revision) return current;
      try {
        return await this.api.update({ ...current, revision });
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        current = await this.api.get(cr.metadata.name!);
      }
    }
  }

  /** Plain update (e.g. adding a label); the caller handles conflicts. */
  update(cr: Readonly<ControllerRevision>): Promise<ControllerRevision> {
    return this.api.update(structuredClone(cr));
  }

  /** DeleteControllerRevision. */
  async delete(name: string): Promise<void> {
    await this.api.delete(name);
  }

  /**
   * ClaimControllerRevisions: adopt orphans `selector` matches, release owned ones it no longer
   * matches, ignore other controllers'. Resolves to the revisions now owned. `canAdopt` rechecks the
   * parent (fresh read, same uid, not deleting) before the first adoption.
   */
  claim(parent: Readonly<KubeObject>, ref: OwnerReference, selector: LabelSelectorObject | undefined, candidates: readonly Readonly<ControllerRevision>[], canAdopt: () => Promise<boolean>): Promise<Readonly<ControllerRevision>[]> {
    return executeClaims(planClaims(parent, selector, candidates), ref, { patch: (name, body) => this.api.patch(name, 'merge', body) }, canAdopt);
  }
}
