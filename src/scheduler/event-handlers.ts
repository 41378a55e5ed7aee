/**
 * The scheduler's informer handlers, as upstream's pkg/scheduler/eventhandlers.go: node events keep
 * the cache's nodes; one pod informer is split by spec.nodeName, bound pods feeding the cache,
 * unbound pods of this scheduler the queue; and every change a waiting pod may care about is told
 * to the queue as a cluster event, so it can move unschedulable pods back to be retried.
 */
import type { EventHandler } from '../controller-runtime/informer/index.js';
import type { SchedulerCache } from './cache/cache.js';
import { isTerminal, needsScheduling, nodeSchedulingPropertiesChanged, podSpecOrMetaChanged } from './event-filters.js';
import { newPodInfo } from './framework/pod-info.js';
import { podKey, type Node, type Pod } from './framework/types.js';
import type { Nominator } from './nominator.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';

/** What the handlers update. */
export interface EventHandlerTargets {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  nominator: Nominator;
  /** The profile's schedulerName: only unbound pods asking for it are queued. */
  schedulerName: string;
}

export function nodeEventHandler({ cache, queue }: EventHandlerTargets): EventHandler<Node> {
  const onNode = (node: Node, old: Node | undefined): void => {
    cache.setNode(node);
    if (!old) queue.onClusterEvent('NodeAdd');
    else if (nodeSchedulingPropertiesChanged(old, node)) queue.onClusterEvent('NodeUpdate');
  };
  return {
    onAdd: (n) => onNode(n, undefined),
    onUpdate: (o, n) => onNode(n, o),
    onDelete: (n) => cache.removeNode(n.metadata.name ?? ''),
  };
}

export function podEventHandler({ cache, queue, nominator, schedulerName }: EventHandlerTargets): EventHandler<Pod> {
  const onPodAdd = (pod: Pod): void => {
    nominator.observe(pod, podKey(pod));
    if (pod.spec.nodeName) {
      if (isTerminal(pod)) return;
      cache.addOrUpdateBound(newPodInfo(pod), pod.spec.nodeName);
      queue.onClusterEvent('AssignedPodAdd');
    } else if (needsScheduling(pod, schedulerName)) {
      queue.add(newPodInfo(pod));
    }
  };

  const onPodUpdate = (old: Pod, pod: Pod): void => {
    const key = podKey(pod);
    nominator.observe(pod, key);
    if (pod.spec.nodeName) {
      if (!old.spec.nodeName) queue.delete(key); // bound (by us or anyone else)
      if (isTerminal(pod)) {
        if (cache.nodeOf(key) !== undefined) {
          cache.remove(key);
          queue.onClusterEvent('AssignedPodDelete');
        }
        return;
      }
      if (!old.spec.nodeName) {
        cache.addOrUpdateBound(newPodInfo(pod), pod.spec.nodeName);
        queue.onClusterEvent('AssignedPodAdd');
      } else if (podSpecOrMetaChanged(old, pod) || old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp
        || cache.nodeOf(key) === undefined) {
        // Status-only updates (the agent's, most of them) change nothing the plugins look at.
        cache.addOrUpdateBound(newPodInfo(pod), pod.spec.nodeName);
        queue.onClusterEvent('AssignedPodUpdate');
      }
    } else if (needsScheduling(pod, schedulerName)) {
      if (podSpecOrMetaChanged(old, pod) || !needsScheduling(old, schedulerName)) queue.update(newPodInfo(pod));
    } else {
      queue.delete(key);
    }
  };

  const onPodDelete = (pod: Pod): void => {
    const key = podKey(pod);
    nominator.observe(undefined, key);
    queue.delete(key);
    if (cache.nodeOf(key) !== undefined) {
      cache.remove(key);
      queue.onClusterEvent('AssignedPodDelete');
    }
  };

  return {
    onAdd: (p) => onPodAdd(p),
    onUpdate: (o, p) => onPodUpdate(o, p),
    onDelete: (p) => onPodDelete(p),
  };
}
