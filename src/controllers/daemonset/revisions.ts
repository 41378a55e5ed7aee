/**
 * A DaemonSet's ControllerRevisions (upstream daemon/update.go: constructHistory, snapshot,
 * dedupCurHistories, cleanupHistory, getPatch, Match).
 *
 * A revision's data is the strategic merge patch `{"spec":{"template":{...,"$patch":"replace"}}}`
 * that `kubectl rollout undo` sends back to restore it. The current revision is the one whose data
 * equals the DaemonSet's (re-numbered to the newest when a rollback makes an old one current); the
 * revision is named `<ds>-<hash of the template and collisionCount>` and its hash label is what
 * daemon pods carry in `controller-revision-hash`.
 */
import type { DaemonSet } from '../../api/kinds/index.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { computeHash, canonicalJson } from '../../controller-runtime/workload/hash.js';
import { revisionsToTruncate, type ControllerRevision, type RevisionWriter } from '../../controller-runtime/workload/history.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { REVISION_HASH_LABEL } from './daemon-pod.js';

/** getPatch: the template, to be restored whole. */
export function revisionData(ds: Readonly<DaemonSet>): unknown {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** Match: the revision holds exactly the DaemonSet's template. */
export function matchesRevision(ds: Readonly<DaemonSet>, cr: Readonly<ControllerRevision>): boolean {
  return canonicalJson(revisionData(ds)) === canonicalJson(cr.data ?? null);
}

/** The revision snapshot creates for `ds` at `revision` (named by the template hash with the collision count). */
export function snapshotRevision(ds: Readonly<DaemonSet>, revision: number): ControllerRevision {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`, namespace: ds.metadata.namespace,
      labels: { ...ds.spec?.template?.metadata?.labels, [REVISION_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    data: revisionData(ds), revision,
  };
}

export interface HistoryDeps {
  client: KubeClient;
  writer: RevisionWriter;
  /** The DaemonSet's pods (for relabelling when duplicate current revisions are merged). */
  pods: readonly Readonly<Pod>[];
}

/**
 * constructHistory: split the owned revisions into the current one (created, or deduplicated and
 * re-numbered, as needed) and the old ones. Revisions without the hash label get their name as hash.
 * A name collision with other data bumps status.collisionCount and rejects, so the next sync retries.
 */
export async function constructHistory(ds: Readonly<DaemonSet>, owned: readonly Readonly<ControllerRevision>[], deps: HistoryDeps): Promise<{ cur: Readonly<ControllerRevision>; old: Readonly<ControllerRevision>[] }> {
  const current: Readonly<ControllerRevision>[] = [];
  const old: Readonly<ControllerRevision>[] = [];
  for (let cr of owned) {
    if (!cr.metadata.labels?.[REVISION_HASH_LABEL]) {
      cr = await deps.writer.update({ ...cr, metadata: { ...cr.metadata, labels: { ...cr.metadata.labels, [REVISION_HASH_LABEL]: cr.metadata.name! } } });
    }
    (matchesRevision(ds, cr) ? current : old).push(cr);
  }
  const next = old.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
  if (current.length === 0) return { cur: await snapshot(ds, next, deps), old };
  // dedupCurHistories: keep the highest revision; pods labelled with a copy's hash move to the kept
  // one's (upstream relabels every pod whose hash differs; only the copies' pods need it), then the
  // copies go.
  const keep = current.reduce((a, b) => ((b.revision ?? 0) >= (a.revision ?? 0) ? b : a));
  const keepHash = keep.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
  for (const dup of current) {
    if (dup === keep) continue;
    const dupHash = dup.metadata.labels?.[REVISION_HASH_LABEL];
    for (const pod of deps.pods) {
      if (!dupHash || pod.metadata.labels?.[REVISION_HASH_LABEL] !== dupHash) continue;
      await deps.client.pods(pod.metadata.namespace).patch(pod.metadata.name!, 'merge', { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } });
    }
    await deps.writer.delete(dup.metadata.name!);
  }
  const cur = (keep.revision ?? 0) < next ? await deps.writer.updateRevisionNumber(keep, next) : keep;
  return { cur, old };
}

async function snapshot(ds: Readonly<DaemonSet>, revision: number, deps: HistoryDeps): Promise<ControllerRevision> {
  const cr = snapshotRevision(ds, revision);
  const api = deps.client.resource<ControllerRevision>(resources.controllerrevisions, ds.metadata.namespace);
  try {
    return await api.create(cr);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await api.get(cr.metadata.name!);
    if (matchesRevision(ds, existing)) return existing;
    // A hash collision: bump the count so the next sync names the revision differently.
    const dsApi = deps.client.resource<DaemonSet>(resources.daemonsets, ds.metadata.namespace);
    const fresh = await dsApi.get(ds.metadata.name!);
    fresh.status = { ...fresh.status!, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await dsApi.updateStatus(fresh);
    throw new Error(`found a stale collision for ControllerRevision ${cr.metadata.name} of DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}; collisionCount is now ${fresh.status.collisionCount}`);
  }
}

/** cleanupHistory: old revisions beyond revisionHistoryLimit, oldest first, sparing those live pods still carry. */
export function revisionsToCleanUp(ds: Readonly<DaemonSet>, old: readonly Readonly<ControllerRevision>[], pods: Iterable<readonly Readonly<Pod>[]>): Readonly<ControllerRevision>[] {
  const live = new Set<string>();
  for (const list of pods) for (const p of list) {
    const h = p.metadata.labels?.[REVISION_HASH_LABEL];
    if (h) live.add(h);
  }
  return revisionsToTruncate(old, ds.spec?.revisionHistoryLimit ?? 10, (r) => live.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
}
