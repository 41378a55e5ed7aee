/**
 * VolumeRestrictions (upstream pkg/scheduler/framework/plugins/volumerestrictions): volumes that only
 * one pod may use at a time.
 *
 * - ReadWriteOncePod claims: a pod using a claim with that access mode fits nowhere while another
 *   pod uses the claim ("node has pod using PersistentVolumeClaim with the same name and
 *   ReadWriteOncePod access mode"). The rejection is Unschedulable at Filter, so preemption may free
 *   the claim by evicting its user (upstream moved it out of PreFilter for that, kubernetes#119770).
 * - Inline disks (GCE PD, AWS EBS, ISCSI, Ceph RBD): a node where another pod mounts the same disk
 *   read-write does not fit ("node(s) had no available disk").
 * - A claim the pod names that does not exist: UnschedulableAndUnresolvable at PreFilter with the
 *   lister's NotFound words.
 *
 * Upstream keeps the claim's users in PreFilter state and corrects it through AddPod/RemovePod when
 * preemption or nominated pods change a node. Here PreFilter records which pods use the claims and
 * on which node, and Filter reads the node it is given: a user on this node that the node no longer
 * holds (a preemption victim) does not conflict, and a pod on this node that PreFilter did not see
 * (a nominated pod added to the node view) does.
 */
import type { Pod, PersistentVolumeClaim } from '../../../api/kinds/index.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, PreFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PluginHandle } from '../../framework/profile.js';
import { Status } from '../../framework/status.js';

export const NAME = 'VolumeRestrictions';
export const ERR_REASON_DISK_CONFLICT = 'node(s) had no available disk';
export const ERR_REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
const STATE_KEY = `PreFilter${NAME}`;

type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];
interface Disk { kind: string; id: string; readOnly: boolean; monitors?: readonly string[] }

/** Which claims the plugin reads; the handle's `volumeBinding` (the scheduler's claim informer) has it. */
interface ClaimLister {
  claim(namespace: string, name: string): Readonly<PersistentVolumeClaim> | undefined;
}

interface RwopState {
  /** The pod's ReadWriteOncePod claim names. */
  claims: ReadonlySet<string>;
  /** Pods (by uid) already using one of them, and the node each is on. */
  users: ReadonlyMap<string, string>;
}

const claimNames = (pod: Readonly<Pod>): string[] => (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));

/** The inline disk a volume names, in the terms upstream's isVolumeConflict compares. */
function diskOf(v: Volume): Disk | undefined {
  const x = v as Volume & Record<string, Record<string, unknown> | undefined>;
  const gce = x.gcePersistentDisk;
  if (gce) return { kind: 'gce', id: String(gce.pdName), readOnly: gce.readOnly === true };
  const ebs = x.awsElasticBlockStore;
  if (ebs) return { kind: 'ebs', id: String(ebs.volumeID), readOnly: false }; // any two mounts conflict
  const iscsi = x.iscsi;
  if (iscsi) return { kind: 'iscsi', id: String(iscsi.iqn), readOnly: iscsi.readOnly === true };
  const rbd = x.rbd;
  if (rbd) return { kind: 'rbd', id: `${String(rbd.pool ?? 'rbd')}/${String(rbd.image)}`, readOnly: rbd.readOnly === true, monitors: (rbd.monitors as string[] | undefined) ?? [] };
  return undefined;
}

function disksConflict(a: Disk, b: Disk): boolean {
  if (a.kind !== b.kind || a.id !== b.id) return false;
  if (a.kind === 'rbd' && !a.monitors!.some((m) => b.monitors!.includes(m))) return false;
  return !(a.readOnly && b.readOnly);
}

const podDisks = (pod: Readonly<Pod>): Disk[] => (pod.spec?.volumes ?? []).flatMap((v) => diskOf(v) ?? []);

export function newVolumeRestrictions(_args: Record<string, unknown>, handle: PluginHandle): PreFilterPlugin & FilterPlugin {
  const lister = handle.volumeBinding as ClaimLister | undefined;
  return {
    name: NAME,
    preFilter(state: CycleState, pod, snapshot) {
      const ns = pod.pod.metadata.namespace ?? 'default';
      const claims = new Set<string>();
      // Without a claim lister (a profile built with no handle) only inline disks are checked.
      for (const name of lister ? claimNames(pod.pod) : []) {
        const claim = lister!.claim(ns, name);
        if (!claim) return Status.unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.spec?.accessModes?.includes('ReadWriteOncePod')) claims.add(name);
      }
      const users = new Map<string, string>();
      // Only pods with a ReadWriteOncePod claim pay for this scan (upstream reads the snapshot's used-claim set).
      if (claims.size > 0) {
        for (const node of snapshot.nodes) {
          for (const other of node.pods) {
            if (other.pod.metadata.uid !== pod.pod.metadata.uid && usesAny(other.pod, ns, claims)) users.set(other.pod.metadata.uid ?? other.key, node.name);
          }
        }
      }
      if (podDisks(pod.pod).length === 0 && users.size === 0) return Status.SKIP;
      state.write(STATE_KEY, { claims, users } satisfies RwopState);
      return Status.SUCCESS;
    },
    filter(state, pod, node) {
      const mine = podDisks(pod.pod);
      if (mine.length > 0 && node.pods.some((p) => podDisks(p.pod).some((d) => mine.some((m) => disksConflict(m, d))))) {
        return Status.unschedulable(ERR_REASON_DISK_CONFLICT);
      }
      return rwopConflict(state.read<RwopState>(STATE_KEY), pod.pod, node) ? Status.unschedulable(ERR_REASON_RWOP_CONFLICT) : Status.SUCCESS;
    },
  };
}

function usesAny(pod: Readonly<Pod>, namespace: string, claims: ReadonlySet<string>): boolean {
  return (pod.metadata.namespace ?? 'default') === namespace && claimNames(pod).some((c) => claims.has(c));
}

/** Whether some other pod still uses one of the pod's ReadWriteOncePod claims with `node` as it is now. */
function rwopConflict(s: RwopState, pod: Readonly<Pod>, node: NodeInfo): boolean {
  if (s.claims.size === 0) return false;
  const here = new Set(node.pods.map((p) => p.pod.metadata.uid ?? p.key));
  for (const [uid, nodeName] of s.users) if (nodeName !== node.name || here.has(uid)) return true;
  const ns = pod.metadata.namespace ?? 'default';
  return node.pods.some((p) => p.pod.metadata.uid !== pod.metadata.uid && !s.users.has(p.pod.metadata.uid ?? p.key) && usesAny(p.pod, ns, s.claims));
}
