import type { Pod, PodStatus } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { PodStatusWriter } from './pod-status-writer.js';

/**
 * Sends pod statuses to pods/status (a strategic merge patch of the fields the agent owns, with the pod's uid
 * so a pod re-created under the same name is never written to) unless both the pod as last seen
 * and the last status sent already say the same; finishes deletions with gracePeriodSeconds=0 and a uid precondition, as kubelet does.
 */

/** The fields the agent owns in a PodStatus (the rest, e.g. qosClass or nominatedNodeName, are left alone). */
const OWNED = ['phase', 'reason', 'message', 'conditions', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses'] as const;

/** The condition types the kubelet owns (kubetypes.PodConditionsByKubelet). */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

function owned(s: PodStatus | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of OWNED) if (s?.[k] !== undefined) out[k] = s[k];
  return out;
}

/** Stable JSON (sorted keys) for comparisons. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val,
  );
}

export class StatusManager implements PodStatusWriter {
  private readonly last = new Map<string, string>();

  /** Writes name no fieldManager: as the kubelet's status manager, they are its client's User-Agent program's ("kubelet"). */
  constructor(private readonly client: KubeClient, private readonly log: Logger) {}

  async write(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid!;
    const want = canonical(owned(status));
    // Skip only when the pod as last seen already has it AND it does not contradict what this agent
    // last wrote: the pod copy may lag behind our own last write (a status flipped back before the
    // watch caught up would otherwise never be sent), and someone else (the node lifecycle
    // controller marking pods not ready) may have changed the API since that write.
    const last = this.last.get(uid);
    if (canonical(owned(pod.status)) === want && (last === undefined || last === want)) {
      this.last.set(uid, want);
      return;
    }
    const body: Record<string, unknown> = { ...owned(status) };
    // Conditions merge by type (as the kubelet's two-way strategic patch): the kubelet's own, and
    // others only where the agent changed them (DisruptionTarget on eviction), so a condition a
    // controller set after the agent's copy was taken (a readiness gate) is not put back to stale.
    const copy = new Map((pod.status?.conditions ?? []).map((c) => [c.type, canonical(c)]));
    if (status.conditions) body.conditions = status.conditions.filter((c) => KUBELET_CONDITIONS.has(c.type) || copy.get(c.type) !== canonical(c));
    // The address lists merge by ip too: the agent's list replaces the old one whole.
    for (const k of ['podIPs', 'hostIPs'] as const) if (status[k]) body[k] = [{ $patch: 'replace' }, ...status[k]];
    // Fields the agent set before and no longer reports are cleared.
    for (const k of OWNED) if (body[k] === undefined && pod.status?.[k] !== undefined) body[k] = null;
    try {
      await this.client.pods(pod.metadata.namespace).patchStatus(pod.metadata.name!, 'strategic', { metadata: { uid }, status: body });
      this.last.set(uid, want);
    } catch (err) {
      if (isNotFound(err)) return;
      this.last.delete(uid);
      throw err;
    }
  }

  async finishDeletion(pod: Pod): Promise<void> {
    try {
      await this.client.pods(pod.metadata.namespace).delete(pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone already, or a new pod of that name
      this.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: String(err) }, 'final pod deletion failed');
      throw err;
    }
  }

  forget(uid: string): void {
    this.last.delete(uid);
  }
}
