/** The in-tree plugins by name, and the default profile (upstream's default plugin set and weights). */
import type { ProfileConfig, Registry } from '../framework/profile.js';
import { DEFAULT_SCHEDULER_NAME } from '../framework/types.js';
import * as balancedAllocation from './balanced-allocation/balanced-allocation.js';
import * as defaultBinder from './default-binder/default-binder.js';
import * as defaultPreemption from './default-preemption/default-preemption.js';
import * as imageLocality from './image-locality/image-locality.js';
import * as interPodAffinity from './inter-pod-affinity/inter-pod-affinity.js';
import * as nodeAffinity from './node-affinity/node-affinity.js';
import * as nodeName from './node-name/node-name.js';
import * as nodePorts from './node-ports/node-ports.js';
import * as nodeResourcesFit from './node-resources-fit/node-resources-fit.js';
import * as nodeUnschedulable from './node-unschedulable/node-unschedulable.js';
import * as podTopologySpread from './pod-topology-spread/pod-topology-spread.js';
import * as taintToleration from './taint-toleration/taint-toleration.js';
import * as volumeBinding from './volume-binding/volume-binding.js';
import * as volumeRestrictions from './volume-restrictions/volume-restrictions.js';

export const inTreeRegistry: Registry = {
  [nodeUnschedulable.NAME]: () => nodeUnschedulable.newNodeUnschedulable(),
  [nodeName.NAME]: () => nodeName.newNodeName(),
  [taintToleration.NAME]: () => taintToleration.newTaintToleration(),
  [nodeAffinity.NAME]: () => nodeAffinity.newNodeAffinity(),
  [nodePorts.NAME]: () => nodePorts.newNodePorts(),
  [nodeResourcesFit.NAME]: () => nodeResourcesFit.newNodeResourcesFit(),
  [interPodAffinity.NAME]: () => interPodAffinity.newInterPodAffinity(),
  [podTopologySpread.NAME]: (args, handle) => podTopologySpread.newPodTopologySpread(args, handle),
  [balancedAllocation.NAME]: () => balancedAllocation.newBalancedAllocation(),
  [imageLocality.NAME]: () => imageLocality.newImageLocality(),
  [volumeRestrictions.NAME]: (args, handle) => volumeRestrictions.newVolumeRestrictions(args, handle),
  [volumeBinding.NAME]: (args, handle) => volumeBinding.newVolumeBinding(args, handle),
  [defaultPreemption.NAME]: (args, handle) => defaultPreemption.newDefaultPreemption(args, handle),
  [defaultBinder.NAME]: (args, handle) => defaultBinder.newDefaultBinder(args, handle),
};

/**
 * The default profile: upstream 1.32's multiPoint plugins in its order (default_plugins.go) and
 * score weights (TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, PodTopologySpread 2,
 * InterPodAffinity 2, BalancedAllocation 1, ImageLocality 1). PodTopologySpread's args default to
 * `defaultingType: System`: pods without constraints of their own are spread by hostname and zone
 * as the Services/controllers selecting them say. SelectorSpread, which did that before, is gone
 * upstream (removed from the v1 config in 1.25, its code in 1.29), so naming it is an error here too.
 * Outside the profile: SchedulingGates (event-filters.ts needsScheduling) and PrioritySort (queue/).
 * No NodeVolumeLimits or VolumeZone: no CSI attach limits or zonal volumes here.
 */
export function defaultProfileConfig(schedulerName = DEFAULT_SCHEDULER_NAME): ProfileConfig {
  return {
    schedulerName,
    plugins: [
      { name: nodeUnschedulable.NAME },
      { name: nodeName.NAME },
      { name: taintToleration.NAME, weight: 3 },
      { name: nodeAffinity.NAME, weight: 2 },
      { name: nodePorts.NAME },
      { name: nodeResourcesFit.NAME, weight: 1 },
      { name: volumeRestrictions.NAME },
      { name: volumeBinding.NAME },
      { name: podTopologySpread.NAME, weight: 2 },
      { name: interPodAffinity.NAME, weight: 2 },
      { name: defaultPreemption.NAME },
      { name: balancedAllocation.NAME, weight: 1 },
      { name: imageLocality.NAME, weight: 1 },
      { name: defaultBinder.NAME },
    ],
  };
}
