/**
 * Claiming dependents (upstream ControllerRefManager.ClaimObject): a controller owns the objects
 * whose controller ownerReference names its uid. Orphans its selector matches are adopted (unless
 * the controller or the orphan is being deleted); owned objects that stopped matching are released
 * (unless the controller is being deleted). Objects controlled by someone else are never touched.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../../api/selectors/index.js';
import { isNotFound } from '../../client/errors.js';

export interface ClaimPlan<T extends KubeObject> {
  /** Already ours and matching. */
  owned: Readonly<T>[];
  /** Orphans to adopt (ours once the patch succeeds). */
  adopt: Readonly<T>[];
  /** Ours but no longer matching: drop our ownerReference. */
  release: Readonly<T>[];
}

export function controllerOf(obj: Readonly<KubeObject>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/** Decide ownership of `candidates` (same namespace as `owner`) without any I/O. */
export function planClaims<T extends KubeObject>(owner: Readonly<KubeObject>, selector: LabelSelectorObject | undefined, candidates: readonly Readonly<T>[]): ClaimPlan<T> {
  const sel = labelSelectorFromObject(selector);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  for (const obj of candidates) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerOf(obj);
    const matches = matchesLabels(sel, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) plan.owned.push(obj);
      else if (!ownerDeleting) plan.release.push(obj);
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
    plan.adopt.push(obj);
  }
  return plan;
}

/** How claims are written: a merge patch of the whole ownerReferences list, guarded by resourceVersion. */
export interface ClaimWriter<T extends KubeObject> {
  patch(name: string, body: unknown): Promise<T>;
}

/**
 * Carry out a plan. `canAdopt` is called once before the first adoption (upstream rechecks with a
 * fresh read that the owner still exists with the same uid and is not being deleted). Not-found
 * dependents are skipped; other failures reject so the caller retries with fresh state.
 * Resolves to the dependents now owned.
 */
export async function executeClaims<T extends KubeObject>(
  plan: ClaimPlan<T>, ref: OwnerReference, writer: ClaimWriter<T>, canAdopt: () => Promise<boolean>,
): Promise<Readonly<T>[]> {
  const owned: Readonly<T>[] = [...plan.owned];
  if (plan.adopt.length > 0 && (await canAdopt())) {
    for (const obj of plan.adopt) {
      const refs = [...(obj.metadata.ownerReferences ?? []), ref];
      try {
        owned.push(await writer.patch(obj.metadata.name!, { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs } }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  for (const obj of plan.release) {
    const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
    try {
      await writer.patch(obj.metadata.name!, { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}
