/**
 * The controller runtime: how Bosun's controllers are built.
 *
 * - `workqueue/`: the fair, stingy, rate-limited queue of keys.
 * - `informer/`: reflector (list + watch), frozen indexed cache, shared informers and their factory.
 * - `controller.ts` + `builder.ts` + `handlers.ts`: a reconciler fed by a queue fed by informers.
 * - `manager.ts`: owns client, informers and controllers; starts and stops them in order.
 * - `leader-election.ts`: one active replica per Lease.
 * - `events/`: core/v1 Events with aggregation.
 * - `metrics.ts`: reconcile and queue metrics in `runtimeRegistry` (merge it into a component's /metrics).
 */
export { Manager, type ManagerOptions, type Runnable } from './manager.js';
export { Controller, type ControllerOptions } from './controller.js';
export { ControllerBuilder, type BuilderHost } from './builder.js';
export { TerminalError, type Reconciler, type Request, type Result } from './reconcile.js';
export { enqueueMapped, enqueueObject, enqueueOwner, controllerOwnerKey, generationChanged, type UpdatePredicate } from './handlers.js';
export { LeaderElector, microTime, type Lease, type LeaseSpec, type LeaderElectionOptions } from './leader-election.js';
export { EventRecorder, type EventRecorderOptions, type EventType } from './events/recorder.js';
export { realClock, sleep, type Clock, type Timer } from './clock/clock.js';
export { defaultLogger, type Logger } from './log.js';
export { runtimeRegistry } from './metrics.js';
export * from './informer/index.js';
export * from './workqueue/index.js';
