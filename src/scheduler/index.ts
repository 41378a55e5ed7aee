/**
 * The scheduler: places pending pods on nodes, as kube-scheduler does. A guided tour:
 * - framework/: the extension points (interface.ts), Status codes and what the queue does with them
 *   (status.ts), CycleState, immutable NodeInfo/Snapshot, and `schedulePod` (schedule-pod.ts), one
 *   scheduling cycle as a pure function of a snapshot; fit-error.ts words failures as upstream.
 * - plugins/<name>/: one plugin per folder; registry.ts maps names to constructors and holds the
 *   default profile.
 * - queue/: activeQ (priority, FIFO), backoffQ (1-10 s) and unschedulable pods woken by cluster events.
 * - cache/: nodes and bound or assumed pods, feeding snapshots.
 * - scheduler.ts: the runtime wiring informers, queue, cache, binding and status/events.
 *
 *   const s = new Scheduler({ client }); await s.start(signal); ... await s.stop();
 */
export { Scheduler, scheduledMessage, type SchedulerOptions, type SchedulerStats } from './scheduler.js';
export { schedulePod, numFeasibleNodesToFind, type ScheduleResult, type ScheduleOptions } from './framework/schedule-pod.js';
export { buildProfile, type Profile, type ProfileConfig, type Registry, type PluginConfig, type PluginFactory, type PluginHandle } from './framework/profile.js';
export { Code, Status } from './framework/status.js';
export { fitErrorMessage, NO_NODES_AVAILABLE, type Diagnosis } from './framework/fit-error.js';
export type * from './framework/interface.js';
export { defaultProfileConfig, inTreeRegistry } from './plugins/registry.js';
export { SchedulingQueue, type QueueOptions } from './queue/scheduling-queue.js';
export { SchedulerCache } from './cache/cache.js';
