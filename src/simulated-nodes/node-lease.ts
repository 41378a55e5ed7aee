/**
 * A simulated node's Lease upkeep, as the kubelet's node lease controller: a renewal is a PUT of the
 * lease it last wrote with a new renewTime; a conflict or a missing lease is repaired on the spot
 * (create it, or take over the one left from before), the owner being the current Node each time.
 */
import type { Lease } from '../api/kinds/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { LEASE_NAMESPACE, leaseObject, micro } from './node-object.js';
import type { SimNode } from './sim-node.js';

/** PUT the lease with a new renewTime (`now`, in ms); a conflict or a missing lease is repaired on the spot. */
export async function renewLease(client: KubeClient, sim: SimNode, leaseDurationSeconds: number, now: number): Promise<void> {
  const leases = client.leases<Lease>(LEASE_NAMESPACE);
  const fresh = leaseObject({ metadata: { name: sim.name, uid: sim.uid } }, leaseDurationSeconds, now);
  if (sim.lease) {
    try {
      // The owner is set on every renewal: a renewal in flight when the Node was deleted can hand
      // back the old lease, owned by the old Node's uid, after the node registered again.
      const metadata = { ...sim.lease.metadata, ownerReferences: fresh.metadata.ownerReferences };
      sim.lease = await leases.update({ ...sim.lease, metadata, spec: { ...sim.lease.spec, renewTime: micro(now) } });
      return;
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      sim.lease = undefined;
    }
  }
  try {
    sim.lease = await leases.create(fresh);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    // Take over a lease left from before (a restart, or a Node deleted and registered again).
    const cur = await leases.get(sim.name);
    sim.lease = await leases.update({ ...cur, metadata: { ...cur.metadata, ownerReferences: fresh.metadata.ownerReferences }, spec: { ...(cur.spec ?? {}), ...fresh.spec } });
  }
}
