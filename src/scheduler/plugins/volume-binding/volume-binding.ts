/**
 * VolumeBinding (upstream pkg/scheduler/framework/plugins/volumebinding): a pod's
 * PersistentVolumeClaims decide where it may run.
 *
 * - PreFilter: no claims -> Skip; a missing or terminating claim, or an unbound claim of an
 *   Immediate class (the PV controller binds those), makes the pod unschedulable everywhere.
 * - Filter: a bound claim's volume must accept the node (its node affinity: "node(s) had volume node
 *   affinity conflict"); a WaitForFirstConsumer claim needs a free matching volume usable there, or a
 *   class that provisions ("node(s) didn't find available persistent volumes to bind").
 * - Reserve: picks the volumes for the chosen node and holds them for this pod (other pods in flight
 *   do not take them). Unreserve lets them go.
 * - PreBind: writes the bindings (a static volume's claimRef, or the claim's selected-node
 *   annotation for the provisioner) and waits until the PV controller has bound every claim.
 */
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/kinds/index.js';
import { ANN_SELECTED_NODE, ANN_BOUND_BY_CONTROLLER } from '../../../api/storage/annotations.js';
import { claimClass, findBestMatch, volumeFitsNode } from '../../../api/storage/volume-match.js';
import type { FilterPlugin, PreBindPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/interface.js';
import type { PluginHandle } from '../../framework/profile.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Status } from '../../framework/status.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** What the plugin reads (the scheduler's informers) and writes (the API); the handle's `volumeBinding`. */
export interface VolumeBindingDeps {
  claim(namespace: string, name: string): Readonly<PersistentVolumeClaim> | undefined;
  volume(name: string): Readonly<PersistentVolume> | undefined;
  volumes(): readonly Readonly<PersistentVolume>[];
  storageClass(name: string): Readonly<StorageClass> | undefined;
  updateVolume(pv: PersistentVolume): Promise<void>;
  updateClaim(pvc: PersistentVolumeClaim): Promise<void>;
  /** Resolves once every named claim is Bound (or rejects after the bind timeout). */
  waitBound(namespace: string, names: readonly string[], signal?: AbortSignal): Promise<void>;
}

interface PodClaims {
  bound: Readonly<PersistentVolumeClaim>[];
  /** WaitForFirstConsumer claims not bound yet. */
  delayed: Readonly<PersistentVolumeClaim>[];
}

interface Decision {
  /** Static volumes to bind, by claim name. */
  volumes: Map<string, Readonly<PersistentVolume>>;
  /** Claims the provisioner will make a volume for on the node. */
  provision: Readonly<PersistentVolumeClaim>[];
}

const STATE_KEY = `PreFilter${NAME}`;
/** Filter's decision per node (node name -> Decision), then the one Reserve chose. */
const DECISION_KEY = `Filter${NAME}`;
const CHOSEN_KEY = `Reserve${NAME}`;

export type VolumeBindingPlugin = PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin;

export function newVolumeBinding(_args: Record<string, unknown>, handle: PluginHandle): VolumeBindingPlugin {
  const deps = handle.volumeBinding as VolumeBindingDeps | undefined;
  /** Volumes held by pods between Reserve and the end of their binding. */
  const held = new Map<string, string>();

  const isDelayed = (pvc: Readonly<PersistentVolumeClaim>): boolean => {
    const cls = claimClass(pvc);
    return !!cls && deps!.storageClass(cls)?.volumeBindingMode === 'WaitForFirstConsumer';
  };

  /** The matching decision for one node (Filter and Reserve agree by computing it the same way). */
  const decide = (pod: PodInfo, claims: PodClaims, node: Readonly<Node>): Decision | string => {
    for (const pvc of claims.bound) {
      const pv = deps!.volume(pvc.spec!.volumeName!);
      if (!pv) return ERR_REASON_PV_NOT_EXIST;
      if (!volumeFitsNode(pv, node)) return ERR_REASON_NODE_CONFLICT;
    }
    const chosen = new Map<string, Readonly<PersistentVolume>>();
    const provision: Readonly<PersistentVolumeClaim>[] = [];
    const excluded = new Set([...held].filter(([, owner]) => owner !== pod.key).map(([pv]) => pv));
    for (const pvc of claims.delayed) {
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected && selected !== node.metadata.name) return ERR_REASON_BIND_CONFLICT;
      const pv = findBestMatch(pvc, deps!.volumes(), node, true, excluded);
      if (pv) {
        chosen.set(pvc.metadata.name!, pv);
        excluded.add(pv.metadata.name!);
        continue;
      }
      const sc = deps!.storageClass(claimClass(pvc));
      if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER) return ERR_REASON_BIND_CONFLICT;
      provision.push(pvc);
    }
    return { volumes: chosen, provision };
  };

  return {
    name: NAME,
    preFilter(state, pod) {
      const names = (pod.pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
      if (names.length === 0) return Status.SKIP;
      if (!deps) return Status.error(new Error('VolumeBinding: no volumeBinding in the plugin handle'));
      const ns = pod.pod.metadata.namespace ?? 'default';
      const claims: PodClaims = { bound: [], delayed: [] };
      for (const name of names) {
        const pvc = deps.claim(ns, name);
        if (!pvc) return Status.unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (pvc.metadata.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        if (pvc.spec?.volumeName && pvc.status?.phase === 'Bound') claims.bound.push(pvc);
        else if (isDelayed(pvc)) claims.delayed.push(pvc);
        else return Status.unresolvable('pod has unbound immediate PersistentVolumeClaims');
      }
      state.write(STATE_KEY, claims);
      state.write(DECISION_KEY, new Map<string, Decision>());
      return Status.SUCCESS;
    },
    filter(state, pod, node) {
      const d = decide(pod, state.read<PodClaims>(STATE_KEY), node.node);
      // Upstream reports every conflict reason as UnschedulableAndUnresolvable (preemption cannot help).
      if (typeof d === 'string') return Status.unresolvable(d);
      state.read<Map<string, Decision>>(DECISION_KEY).set(node.node.metadata.name!, d);
      return Status.SUCCESS;
    },
    reserve(state, pod, nodeName) {
      let decisions: Map<string, Decision>;
      try {
        decisions = state.read<Map<string, Decision>>(DECISION_KEY);
      } catch {
        return Status.SUCCESS; // PreFilter skipped: the pod has no claims
      }
      const d = decisions.get(nodeName);
      if (!d) return Status.unschedulable(ERR_REASON_BIND_CONFLICT);
      // Another pod may have taken a volume since Filter ran in this cycle.
      for (const pv of d.volumes.values()) {
        const owner = held.get(pv.metadata.name!);
        if (owner && owner !== pod.key) return Status.unschedulable(ERR_REASON_BIND_CONFLICT);
      }
      for (const pv of d.volumes.values()) held.set(pv.metadata.name!, pod.key);
      state.write(CHOSEN_KEY, d);
      return Status.SUCCESS;
    },
    unreserve(_state, pod) {
      for (const [pv, owner] of [...held]) if (owner === pod.key) held.delete(pv);
    },
    async preBind(state, pod, nodeName) {
      let d: Decision;
      try {
        d = state.read<Decision>(CHOSEN_KEY);
      } catch {
        return Status.SUCCESS;
      }
      const ns = pod.pod.metadata.namespace ?? 'default';
      try {
        for (const [claimName, pv] of d.volumes) {
          const pvc = deps!.claim(ns, claimName);
          if (!pvc) return Status.unschedulable(`persistentvolumeclaim "${claimName}" not found`);
          await deps!.updateVolume({
            ...pv, metadata: { ...pv.metadata, annotations: { ...pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
            spec: { ...pv.spec, claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: claimName, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion } },
          });
        }
        for (const pvc of d.provision) {
          if (pvc.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
          await deps!.updateClaim({ ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, [ANN_SELECTED_NODE]: nodeName } } });
        }
        await deps!.waitBound(ns, [...d.volumes.keys(), ...d.provision.map((c) => c.metadata.name!)]);
        return Status.SUCCESS;
      } catch (err) {
        return Status.error(err);
      } finally {
        for (const [pv, owner] of [...held]) if (owner === pod.key) held.delete(pv);
      }
    },
  };
}
