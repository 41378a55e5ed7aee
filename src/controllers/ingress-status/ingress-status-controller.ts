/**
 * Takes the addresses of lost nodes out of the status of the Ingresses Bosun's built-in controller
 * serves (class controller bosun.dev/ingress). Each node running that controller adds its own IP to
 * status.loadBalancer.ingress and withdraws it when it stops (src/ingress/ingress-status.ts), but a
 * node that dies (power, kill -9, a partition) cannot withdraw: its IP would stay in every Ingress.
 *
 * Why here, in the controller manager, and not in the nodes' writers: a lost node cannot act, and
 * every ingress node may be lost at once; one Node watch in the control plane instead of one per
 * ingress node (agent memory, and the nodes' ingress identity would have to read Nodes); and the
 * node lifecycle controller, whose Ready=Unknown is the signal, runs here too. The nodes stay the
 * only ones that add (they know when they serve); this controller only removes entries that are no
 * Ready node's address (live-addresses.ts), as ingress-nginx publishes only Ready pods' nodes.
 *
 * It acts on Node changes (readiness, addresses, deletion) and on each Ingress's first sight, never
 * on an Ingress update: a controller still running on a NotReady node (a partition healing, a
 * restart before its node is Ready again) re-adds its IP on every Ingress event, and reacting to
 * those would make the two write in turn without end; this way the writes are bounded by Node
 * changes, and the entry stays once the node is Ready.
 */
import type { Node } from '../../api/kinds/core/node.js';
import { BOSUN_INGRESS_CONTROLLER, servedBy } from '../../api/kinds/networking/ingress-class-of.js';
import type { IngressClass } from '../../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../../api/kinds/networking/ingress.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request, Result } from '../../controller-runtime/reconcile.js';
import { liveNodeAddresses, livenessChanged, prunedAddresses } from './live-addresses.js';

/** Declare the Ingress status controller on `mgr`; it runs when the manager starts. */
export function addIngressStatusController(mgr: Manager): Controller {
  const ingresses = mgr.informers.informerFor<Ingress>(resources.ingresses);
  const classes = mgr.informers.informerFor<IngressClass>(resources.ingressclasses);
  const nodes = mgr.informers.informerFor<Node>(resources.nodes);
  const ours = (ing: Readonly<Ingress>): boolean => servedBy(ing, classes.indexer.list(), BOSUN_INGRESS_CONTROLLER);

  async function reconcile(req: Request): Promise<Result | void> {
    const ing = ingresses.indexer.get(keyString(req));
    if (!ing || !ours(ing)) return;
    const next = prunedAddresses(ing.status?.loadBalancer?.ingress ?? [], liveNodeAddresses(nodes.indexer.list()));
    if (!next) return;
    try {
      await mgr.client.resource<Ingress>(resources.ingresses, req.namespace).updateStatus({
        ...ing, status: { ...ing.status, loadBalancer: { ...ing.status?.loadBalancer, ingress: next } },
      } as Ingress);
    } catch (err) {
      if (isNotFound(err)) return;
      // A node's write came first: try again on a fresher copy (no update event brings this key back).
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
  }

  const c = mgr.controller('ingress-status')
    .for(resources.ingresses, { predicate: () => false })
    .complete(reconcile);
  const all = (): void => {
    for (const ing of ingresses.indexer.list()) if (ours(ing)) c.enqueue(keyOf(ing));
  };
  nodes.addEventHandler({
    onAdd: all,
    onUpdate: (o, n) => {
      if (livenessChanged(o, n)) all();
    },
    onDelete: all,
  });
  return c;
}
