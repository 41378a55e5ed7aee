/**
 * The periodic image GC of the node agent, as the kubelet's StartGarbageCollection runs it
 * (pkg/kubelet/kubelet.go): a pass at start and then every ImageGCPeriod (5 minutes), none at all
 * when the high threshold is 100 and there is no maximum age. A failed pass is logged; the events
 * on the Node are the kubelet's: InvalidDiskCapacity / FreeDiskSpaceFailed from the pass itself,
 * and ImageGCFailed only when passes fail twice or more in a row (the first failure may just be
 * stats not being ready yet). Idle cost: one unref'd timer.
 */
import { realClock, type Clock, type Timer } from '../../controller-runtime/clock/clock.js';
import type { Logger } from '../../controller-runtime/log.js';
import { ImageGarbageCollector, ImageGCError, type ImageGarbageCollectorOptions } from './image-gc.js';
import { IMAGE_GC_PERIOD_MS, imageGCEnabled } from './image-gc-policy.js';

export interface ImageGCLoopOptions extends ImageGarbageCollectorOptions {
  /** Period between passes (default 5 minutes). */
  periodMs?: number;
  /** Records a Warning event on this node (reason, message). */
  nodeEvent(reason: string, message: string): void;
  log: Logger;
  /** Time for the period; tests pass a FakeClock. */
  clock?: Clock;
}

export interface ImageGCLoop {
  gc: ImageGarbageCollector;
  /** Ends the loop; waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Starts the loop, or returns undefined when the policy turns image GC off. */
export function startImageGC(o: ImageGCLoopOptions): ImageGCLoop | undefined {
  if (!imageGCEnabled(o.policy)) {
    o.log.info({}, 'image GC high threshold is 100 and maximum age is 0: image GC is off');
    return undefined;
  }
  const gc = new ImageGarbageCollector(o);
  const period = o.periodMs ?? IMAGE_GC_PERIOD_MS;
  let prevFailed = false;
  let stopped = false;
  const clock = o.clock ?? realClock;
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;

  const pass = async (): Promise<void> => {
    try {
      const r = await gc.garbageCollect();
      if (r.removed.length) {
        o.log.info({ removed: r.removed.map((i) => i.repoTags[0] ?? i.id), freed: r.freed, usage: r.usagePercent }, 'image garbage collection removed images');
      }
      if (prevFailed) o.log.info({}, 'image garbage collection succeeded');
      prevFailed = false;
    } catch (err) {
      const e = err as Error;
      if (err instanceof ImageGCError && err.reason) o.nodeEvent(err.reason, e.message);
      if (prevFailed) {
        o.log.error({ err: e.message }, 'image garbage collection failed multiple times in a row');
        o.nodeEvent('ImageGCFailed', e.message);
      } else {
        o.log.error({ err: e.message }, 'image garbage collection failed once; stats initialization may not have completed yet');
      }
      prevFailed = true;
    }
  };
  const tick = (): void => {
    running = pass().finally(() => {
      running = undefined;
      if (!stopped) schedule();
    });
  };
  const schedule = (): void => {
    timer = clock.setTimer(tick, period);
    timer.unref?.();
  };
  // The kubelet's wait.Until runs the first pass at once; a macrotask keeps it off the start path.
  timer = clock.setTimer(tick, 0);
  timer.unref?.();

  return {
    gc,
    async stop() {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
