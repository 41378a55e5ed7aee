/**
 * The informers PodTopologySpread's default selector reads (upstream setListers: Services,
 * ReplicationControllers, ReplicaSets, StatefulSets), registered only when the profile has default
 * constraints, as upstream registers them.
 */
import type { ReplicaSet, ReplicationController, Service, StatefulSet } from '../../../api/kinds/index.js';
import { resources } from '../../../client/resource-ref.js';
import type { SharedInformerFactory } from '../../../controller-runtime/informer/index.js';
import type { SpreadListers } from './default-constraints.js';

/** Registers the four informers on `factory` (call before it starts). */
export function spreadListers(factory: SharedInformerFactory): SpreadListers {
  const services = factory.informerFor<Service>(resources.services);
  const rcs = factory.informerFor<ReplicationController>(resources.replicationcontrollers);
  const rss = factory.informerFor<ReplicaSet>(resources.replicasets);
  const sss = factory.informerFor<StatefulSet>(resources.statefulsets);
  return {
    services: (ns) => services.indexer.listNamespace(ns),
    replicationController: (ns, name) => rcs.indexer.get(`${ns}/${name}`),
    replicaSet: (ns, name) => rss.indexer.get(`${ns}/${name}`),
    statefulSet: (ns, name) => sss.indexer.get(`${ns}/${name}`),
  };
}
