/**
 * Node-pressure eviction (kubelet pkg/kubelet/eviction/eviction_manager.go, hard thresholds): every
 * monitoring interval (10 s, the kubelet's housekeeping) it observes the signals, and when a
 * threshold is met it
 *   - reports the condition (MemoryPressure / DiskPressure) until the threshold has stayed unmet
 *     for the pressure transition period (--eviction-pressure-transition-period, 5m);
 *   - ranks the active pods for the starved resource (rank.ts; memory first when several are
 *     starved) and evicts ONE: an Evicted Warning event with upstream's message, then the pod
 *     killed with a 1 s grace period (upstream's immediateEvictionGracePeriodSeconds) and failed with
 *     reason Evicted; the next pod goes no sooner than the next interval, once this one is gone.
 * Critical pods (priority >= system-node-critical's 2000000000... as kubelettypes.IsCriticalPod) are
 * never evicted. Node-level reclaim before eviction (image GC on disk pressure) is left to the image
 * garbage collector's own loop.
 */
import type { Pod } from '../../api/kinds/index.js';
import { podQOSClass } from '../../api/pod-qos.js';
import { parseQuantity } from '../../api/quantity/index.js';
import { toleratedBy } from '../../api/scheduling/tolerations.js';
import type { Logger } from '../../controller-runtime/log.js';
import { evictions } from '../metrics/kubelet-metrics.js';
import { rankForEviction } from './rank.js';
import type { PodStats } from './pod-usage.js';
import { hostSources, observe, type Observations, type SignalSources } from './signals.js';
import { formatAmount, SIGNAL_CONDITION, SIGNAL_RESOURCE, thresholdAmount, type Reclaimed, type Threshold } from './thresholds.js';

export const DEFAULT_MONITOR_MS = 10_000;
export const DEFAULT_PRESSURE_TRANSITION_MS = 5 * 60_000;
/** pkg/kubelet/eviction/eviction_manager.go immediateEvictionGracePeriodSeconds. */
export const HARD_EVICTION_GRACE_SECONDS = 1;
/** scheduling.SystemCriticalPriority: pods at or above it are critical (kubelettypes.IsCriticalPodBasedOnPriority). */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export type PressureCondition = 'MemoryPressure' | 'DiskPressure';

export interface EvictionManagerOptions {
  thresholds: readonly Threshold[];
  monitorMs?: number;
  pressureTransitionMs?: number;
  /** Directory on the node filesystem (the agent's data dir). */
  nodeFsDir: string;
  /** Directory on the image filesystem (the runtime's image store); the node filesystem when undefined. */
  imageFsDir?: () => Promise<string | undefined>;
  sources?: SignalSources;
  activePods(): Pod[];
  stats(pods: readonly Pod[], disk: boolean): Promise<Map<string, PodStats>>;
  /** Kills the pod and fails it Evicted with `message`; false when it is no longer here. */
  evict(pod: Pod, message: string, graceSeconds: number): Promise<boolean>;
  event(pod: Pod, type: 'Warning', reason: string, message: string): void;
  /** A pressure condition started or ended (post the node status now). */
  onPressureChange?(): void;
  now?: () => number;
  log: Logger;
}

const RESOURCE_ORDER: Reclaimed[] = ['memory', 'ephemeral-storage', 'inodes'];

export class EvictionManager {
  private readonly lastObserved = new Map<PressureCondition, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private imageFs: string | undefined;

  constructor(private readonly o: EvictionManagerOptions) {}

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.synchronize()
        .catch((err: unknown) => this.o.log.warn({ err: String(err) }, 'eviction manager: synchronize failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.monitorMs ?? DEFAULT_MONITOR_MS);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Conditions to report now: each observed within the transition period. */
  pressure(): Record<PressureCondition, boolean> {
    const now = this.now();
    const on = (c: PressureCondition): boolean => {
      const at = this.lastObserved.get(c);
      return at !== undefined && now - at < (this.o.pressureTransitionMs ?? DEFAULT_PRESSURE_TRANSITION_MS);
    };
    return { MemoryPressure: on('MemoryPressure'), DiskPressure: on('DiskPressure') };
  }

  /**
   * Whether a new pod may start here (eviction_manager.go Admit): under no pressure, or a critical
   * pod, yes; under memory pressure alone, pods that are not BestEffort and BestEffort pods that
   * tolerate the memory-pressure taint; under disk pressure, none. The refusal's message otherwise.
   */
  admit(pod: Pod): string | undefined {
    const p = this.pressure();
    const conditions = (['MemoryPressure', 'DiskPressure'] as const).filter((c) => p[c]);
    if (conditions.length === 0 || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
    if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
      if (podQOSClass(pod) !== 'BestEffort') return undefined;
      if (toleratedBy(pod.spec?.tolerations, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' })) return undefined;
    }
    return `The node had condition: [${conditions.join(' ')}]. `;
  }

  /** One pass: observe, update conditions, evict at most one pod. Returns the evicted pod. */
  async synchronize(): Promise<Pod | undefined> {
    this.imageFs ??= (await this.o.imageFsDir?.().catch(() => undefined)) ?? this.o.nodeFsDir;
    const obs = observe(this.o.sources ?? hostSources, this.o.nodeFsDir, this.imageFs);
    const met = thresholdsMet(this.o.thresholds, obs);
    const before = JSON.stringify(this.pressure());
    for (const t of met) this.lastObserved.set(SIGNAL_CONDITION[t.signal], this.now());
    if (JSON.stringify(this.pressure()) !== before) this.o.onPressureChange?.();
    if (met.length === 0) return undefined;
    // Memory before the other resources (helpers.go byEvictionPriority).
    const t = [...met].sort((a, b) => RESOURCE_ORDER.indexOf(SIGNAL_RESOURCE[a.signal]) - RESOURCE_ORDER.indexOf(SIGNAL_RESOURCE[b.signal]))[0]!;
    const resource = SIGNAL_RESOURCE[t.signal];
    const o = obs[t.signal]!;
    this.o.log.info({ signal: t.signal, available: o.available, threshold: thresholdAmount(t, o.capacity) }, 'eviction manager: attempting to reclaim');
    const pods = this.o.activePods().filter((p) => (p.spec?.priority ?? 0) < SYSTEM_CRITICAL_PRIORITY);
    if (pods.length === 0) {
      this.o.log.warn({ signal: t.signal }, 'eviction manager: no pods to evict');
      return undefined;
    }
    const stats = await this.o.stats(pods, resource !== 'memory');
    for (const pod of rankForEviction(pods, (p) => stats.get(p.metadata.uid!), resource)) {
      const message = evictionMessage(resource, pod, stats.get(pod.metadata.uid!), t, o);
      this.o.event(pod, 'Warning', 'Evicted', message);
      if (await this.o.evict(pod, message, HARD_EVICTION_GRACE_SECONDS)) {
        evictions.inc({ eviction_signal: t.signal });
        this.o.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, signal: t.signal }, 'eviction manager: pod evicted');
        return pod;
      }
    }
    return undefined;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}

/** The thresholds whose signal is below them now (helpers.go thresholdsMet: quantity > available). */
export function thresholdsMet(thresholds: readonly Threshold[], obs: Observations): Threshold[] {
  return thresholds.filter((t) => {
    const o = obs[t.signal];
    return o !== undefined && thresholdAmount(t, o.capacity) > o.available;
  });
}

/** Upstream's eviction message (helpers.go evictionMessage), trailing spaces included. */
export function evictionMessage(resource: Reclaimed, pod: Pod, stats: PodStats | undefined, t: Threshold, o: { available: number; capacity: number }): string {
  let msg = `The node was low on resource: ${resource}. Threshold quantity: ${formatAmount(t.signal, thresholdAmount(t, o.capacity))}, available: ${formatAmount(t.signal, o.available)}. `;
  if (!stats || resource !== 'memory') return msg;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const used = stats.containers.get(c.name);
    if (used === undefined) continue;
    const raw = c.resources?.requests?.memory;
    const request = raw === undefined ? undefined : parseQuantity(String(raw));
    if (used > Number(request?.value() ?? 0)) msg += `Container ${c.name} was using ${formatAmount('memory.available', used)}, request is ${request?.toString() ?? '0'}, has larger consumption of memory. `;
  }
  return msg;
}
