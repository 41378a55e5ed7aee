/**
 * Cluster events that can make an unschedulable pod schedulable, and which plugins' rejections
 * each can resolve (upstream EventsToRegister, without per-event queueing hints).
 */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete' | 'StorageChange';

/** StorageChange: a PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed (VolumeBinding's events). */
export const ALL_EVENTS: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'StorageChange'];

/** Plugin name -> events that may resolve its rejection. Plugins not listed react to every event. */
export const DEFAULT_PLUGIN_EVENTS: Readonly<Record<string, readonly ClusterEvent[]>> = {
  NodeUnschedulable: ['NodeAdd', 'NodeUpdate'],
  NodeName: ['NodeAdd'],
  TaintToleration: ['NodeAdd', 'NodeUpdate'],
  NodeAffinity: ['NodeAdd', 'NodeUpdate'],
  NodePorts: ['NodeAdd', 'AssignedPodDelete'],
  // An update can shrink a pod's requests (in-place resize) or a node's allocatable can grow.
  NodeResourcesFit: ['NodeAdd', 'NodeUpdate', 'AssignedPodUpdate', 'AssignedPodDelete'],
  InterPodAffinity: ['NodeAdd', 'NodeUpdate', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'],
  VolumeBinding: ['NodeAdd', 'NodeUpdate', 'StorageChange'],
};
