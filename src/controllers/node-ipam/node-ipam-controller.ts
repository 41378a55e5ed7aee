/**
 * The node IPAM controller (upstream kube-controller-manager's nodeipam with the RangeAllocator):
 * every Node without spec.podCIDR gets the lowest free /24 (by default) of the cluster CIDR
 * (10.42.0.0/16 by default), written to spec.podCIDR and spec.podCIDRs. CIDRs already on Nodes are
 * taken first, whoever set them; a deleted Node's CIDR is freed for reuse. Allocation is
 * serialized (one worker) and remembered here, so a second Node never gets a CIDR whose patch the
 * informer has not shown yet.
 */
import type { Node } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';
import { CidrSet } from './cidr-set.js';

import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_MASK_SIZE } from '../../api/defaults.js';

export interface NodeIpamOptions {
  /** --cluster-cidr, default 10.42.0.0/16. */
  clusterCidr?: string;
  /** --node-cidr-mask-size, default 24. */
  nodeMaskSize?: number;
  /** How soon a Node is retried when the cluster CIDR is full. Default 30 s. */
  fullRetryMs?: number;
}

export function addNodeIpamController(mgr: Manager, opts: NodeIpamOptions = {}): Controller {
  const set = new CidrSet(opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, opts.nodeMaskSize ?? DEFAULT_NODE_MASK_SIZE);
  const informer = mgr.informers.informerFor<Node>(resources.nodes);
  const recorder = mgr.eventRecorder('node-ipam-controller');
  /** What this controller believes each node holds (set by us or seen on the Node). */
  const held = new Map<string, string>();
  let seeded = false;

  const hold = (name: string, cidr: string): void => {
    const prev = held.get(name);
    if (prev === cidr) return;
    if (prev) release(name);
    held.set(name, cidr);
    set.occupy(cidr);
  };
  const release = (name: string): void => {
    const cidr = held.get(name);
    if (!cidr) return;
    held.delete(name);
    // Two Nodes may have been given the same CIDR by hand: free it only when nobody else holds it.
    if (![...held.values()].includes(cidr)) set.release(cidr);
  };

  return mgr.controller('node-ipam')
    .for(resources.nodes)
    .withOptions({ workers: 1 })
    .complete(async (req): Promise<Result | void> => {
      if (!seeded) {
        for (const n of informer.indexer.list()) if (n.spec?.podCIDR) hold(n.metadata.name!, n.spec.podCIDR);
        seeded = true;
      }
      const node = informer.indexer.get(req.name);
      if (!node || node.metadata.deletionTimestamp) {
        release(req.name);
        return;
      }
      if (node.spec?.podCIDR) {
        hold(req.name, node.spec.podCIDR);
        return;
      }
      const mine = held.get(req.name);
      if (mine) return; // patched already; the informer has not caught up
      const cidr = set.allocateNext();
      if (!cidr) {
        recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${req.name} status is now: CIDRNotAvailable`);
        return { requeueAfter: opts.fullRetryMs ?? 30_000 };
      }
      held.set(req.name, cidr);
      try {
        await mgr.client.nodes<Node>().patch(req.name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      } catch (err) {
        release(req.name);
        if (isNotFound(err)) return;
        throw err;
      }
    });
}
