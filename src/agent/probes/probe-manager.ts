import type { Container, Pod, Probe } from '../../api/kinds/index.js';
import { realClock, type Clock, type Timer } from '../../controller-runtime/clock/clock.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { isSidecar } from '../../api/pod-sidecar.js';
import { runAction } from './prober.js';

/**
 * Probe workers (kubelet prober/worker.go): one per (container id, probe type), probing every
 * periodSeconds after initialDelaySeconds, turning a result over only after successThreshold
 * successes or failureThreshold failures in a row. Readiness starts false, liveness true; until a
 * startup probe succeeds, the others do not run. A liveness or startup failure is reported once
 * per container (the pod worker kills it; a new container gets new workers).
 */

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeEvent {
  pod: Pod;
  container: string;
  containerId: string;
  type: ProbeType;
  ok: boolean;
  /** Output of the probe that turned the result over. */
  output: string;
}

export interface ProbeManagerOptions {
  runtime: ContainerRuntime;
  /** A result turned over (the pod worker syncs; readiness changes the pod's status). */
  onChange(e: ProbeEvent): void;
  /** A single failed probe attempt (kubelet records an Unhealthy event for each). */
  onFailure?(e: ProbeEvent): void;
  /** Time for the probe periods and initial delays; tests pass a FakeClock. */
  clock?: Clock;
}

export interface RunningContainer {
  id: string;
  name: string;
  startedAt?: Date;
}

interface Worker {
  type: ProbeType;
  containerId: string;
  timer?: Timer;
  stopped: boolean;
  last?: boolean;
  run: number;
}

const TYPES: [ProbeType, 'livenessProbe' | 'readinessProbe' | 'startupProbe'][] = [
  ['startup', 'startupProbe'],
  ['liveness', 'livenessProbe'],
  ['readiness', 'readinessProbe'],
];

export class ProbeManager {
  private readonly workers = new Map<string, Worker>(); // `${containerId}/${type}`
  private readonly pods = new Map<string, { pod: Pod; podIP: string; containers: Map<string, Container> }>();
  readonly readiness = new Map<string, boolean>();
  readonly startup = new Map<string, boolean>();
  private readonly liveFailed = new Map<string, string>(); // containerId -> output
  private readonly startupFailed = new Map<string, string>();
  private readonly byPod = new Map<string, Set<string>>(); // uid -> container ids

  private readonly clock: Clock;

  constructor(private readonly o: ProbeManagerOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Output of the failed liveness probe, when container `id` must be restarted for it. */
  livenessFailure(id: string): string | undefined {
    return this.liveFailed.get(id);
  }

  startupFailure(id: string): string | undefined {
    return this.startupFailed.get(id);
  }

  /**
   * Makes the set of workers match the pod's running containers. Of the init containers only
   * sidecars (restartPolicy Always) are probed, as kubelet's prober manager does.
   */
  sync(pod: Pod, podIP: string, running: RunningContainer[], specs: Container[]): void {
    const uid = pod.metadata.uid!;
    this.pods.set(uid, { pod, podIP, containers: new Map(specs.map((c) => [c.name, c])) });
    const initNames = new Set((pod.spec?.initContainers ?? []).filter((c) => !isSidecar(c)).map((c) => c.name));
    const want = new Set<string>();
    for (const rc of running) {
      const spec = specs.find((c) => c.name === rc.name);
      if (!spec || initNames.has(rc.name)) continue;
      want.add(rc.id);
      for (const [type, field] of TYPES) {
        const probe = spec[field];
        if (!probe) continue;
        const key = `${rc.id}/${type}`;
        if (!this.workers.has(key)) this.start(uid, rc, type, probe);
      }
    }
    const prev = this.byPod.get(uid) ?? new Set();
    for (const id of prev) if (!want.has(id)) this.forget(id);
    this.byPod.set(uid, want);
  }

  /** Stops every worker of the pod. */
  removePod(uid: string): void {
    for (const id of this.byPod.get(uid) ?? []) this.forget(id);
    this.byPod.delete(uid);
    this.pods.delete(uid);
  }

  stop(): void {
    for (const w of this.workers.values()) {
      w.stopped = true;
      w.timer?.cancel();
    }
    this.workers.clear();
  }

  private forget(id: string): void {
    for (const [type] of TYPES) {
      const w = this.workers.get(`${id}/${type}`);
      if (w) {
        w.stopped = true;
        w.timer?.cancel();
        this.workers.delete(`${id}/${type}`);
      }
    }
    this.readiness.delete(id);
    this.startup.delete(id);
    this.liveFailed.delete(id);
    this.startupFailed.delete(id);
  }

  private start(uid: string, rc: RunningContainer, type: ProbeType, probe: Probe): void {
    const w: Worker = { type, containerId: rc.id, stopped: false, run: 0 };
    this.workers.set(`${rc.id}/${type}`, w);
    if (type === 'readiness') this.readiness.set(rc.id, false);
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const started = rc.startedAt?.getTime() ?? this.clock.now();
    const firstAt = started + (probe.initialDelaySeconds ?? 0) * 1000;
    // Fixed rate, as kubelet's probe ticker: a probe's own duration does not delay the next one
    // (a readiness failure is seen within period + one probe, not period + two).
    const tick = async () => {
      if (w.stopped) return;
      const began = this.clock.now();
      await this.probeOnce(uid, rc, w, probe);
      if (!w.stopped) w.timer = this.clock.setTimer(() => void tick(), Math.max(0, began + period - this.clock.now()));
    };
    w.timer = this.clock.setTimer(() => void tick(), Math.max(0, firstAt - this.clock.now()));
  }

  private async probeOnce(uid: string, rc: RunningContainer, w: Worker, probe: Probe): Promise<void> {
    const p = this.pods.get(uid);
    const spec = p?.containers.get(rc.name);
    if (!p || !spec) return;
    // Until the startup probe passes, liveness and readiness wait (readiness stays false).
    if (w.type !== 'startup' && spec.startupProbe && this.startup.get(rc.id) !== true) return;
    if (w.type === 'startup' && this.startup.get(rc.id) === true) return;
    if ((w.type === 'liveness' && this.liveFailed.has(rc.id)) || (w.type === 'startup' && this.startupFailed.has(rc.id))) return;
    const r = await runAction(probe, { runtime: this.o.runtime, containerId: rc.id, container: spec, podIP: p.podIP }, probe.timeoutSeconds ?? 1);
    if (w.stopped) return;
    const ev: ProbeEvent = { pod: p.pod, container: rc.name, containerId: rc.id, type: w.type, ok: r.ok, output: r.output.trim() };
    if (!r.ok) this.o.onFailure?.(ev);
    if (w.last === r.ok) w.run++;
    else {
      w.last = r.ok;
      w.run = 1;
    }
    const threshold = r.ok ? (probe.successThreshold ?? 1) : (probe.failureThreshold ?? 3);
    if (w.run < threshold) return;
    switch (w.type) {
      case 'readiness':
        if (this.readiness.get(rc.id) !== r.ok) {
          this.readiness.set(rc.id, r.ok);
          this.o.onChange(ev);
        }
        break;
      case 'startup':
        if (r.ok) {
          this.startup.set(rc.id, true);
          this.o.onChange(ev);
        } else {
          this.startupFailed.set(rc.id, ev.output);
          this.o.onChange(ev);
        }
        break;
      case 'liveness':
        if (!r.ok) {
          this.liveFailed.set(rc.id, ev.output);
          this.o.onChange(ev);
        }
        break;
    }
  }
}
