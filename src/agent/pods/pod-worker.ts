import type { Pod } from '../../api/kinds/index.js';
import { realClock, type Timer } from '../../controller-runtime/clock/clock.js';
import { computePodStatus, DEADLINE_MESSAGE, isTerminalPhase } from '../status/compute-status.js';
import type { WaitingReason } from '../status/container-statuses.js';
import type { AgentDeps, SyncScratch } from './context.js';
import { cleanupPod, killPod, podGracePeriod } from './kill.js';
import { podSignature } from './pleg.js';
import { podStartDuration } from '../metrics/kubelet-metrics.js';
import { monotonicSeconds } from '../../controller-runtime/exposition.js';
import { readPodRuntimeState, readySandbox, type PodRuntimeState } from '../runtime/pod-state.js';
import { syncRunningPod } from './sync-pod.js';
import { podLogDir } from './sandbox-config.js';
import { addTerminationMessages } from './termination-message.js';
import type { AdmitResult } from './admit-pod.js';
import { createdBefore } from './resource-admission.js';

/**
 * One worker per pod (kubelet's pod worker, Nomad's task runner): syncs are serialised, requests
 * made while one runs collapse into one more run, and the worker wakes itself for back-off expiry
 * and a periodic resync. Lifecycle:
 *
 *   running --(deletionTimestamp)--> terminating: kill (preStop, grace) -> final status
 *     -> remove containers, sandbox, volumes, cgroup -> DELETE pod (grace 0, uid precondition) -> done
 *   running --(pod gone from the API)--> kill + cleanup -> done
 *   running --(phase Succeeded/Failed)--> sandbox stopped, containers kept for status, until deletion
 */

export interface PodWorkerOptions {
  resyncMs: number;
  /** Admission at first sight of a pod that has not started here (see PodManagerOptions.admit). */
  admit?: (pod: Pod) => AdmitResult | Promise<AdmitResult>;
  /** Called once the worker finished a pod for good (the manager forgets it). */
  onDone(uid: string): void;
  /** The runtime state (podSignature) a sync ended with, for the PLEG. */
  onObserved?(uid: string, signature: string): void;
}

export class PodWorker {
  private pod: Pod | undefined;
  private lastPod: Pod;
  private readonly waiting: Record<string, WaitingReason> = {};
  private running = false;
  private dirty = false;
  /** Since the current sync began: a wake-up other than a runtime change... */
  private otherKick = false;
  /** ...and the runtime signature the latest runtime change reported (undefined: none). */
  private runtimeKick: string | undefined;
  /** The runtime signature the current sync ended with. */
  private observedSig: string | undefined;
  private timer: Timer | undefined;
  private nextWake = Infinity;
  private stopped = false;
  private done = false;
  /** The eviction manager's message once it evicted this pod (kubelet's evictPod). */
  private evictedMessage: string | undefined;
  /** Resolves when the current sync (if any) finished. */
  private idle: Promise<void> = Promise.resolve();

  /** When this agent first saw the pod, until its first Running status (kubelet_pod_start_duration_seconds); undefined for pods already running. */
  private seenAt: number | undefined;

  constructor(readonly uid: string, pod: Pod, private readonly d: AgentDeps, private readonly o: PodWorkerOptions) {
    this.pod = pod;
    this.lastPod = pod;
    const phase = pod.status?.phase;
    if (phase === undefined || phase === 'Pending') this.seenAt = monotonicSeconds();
  }

  /** New state from the API (undefined: the pod no longer exists); `sync` false only records it. */
  update(pod: Pod | undefined, sync = true): void {
    this.pod = pod;
    if (pod) this.lastPod = pod;
    if (sync || !pod) this.kick();
  }

  /** Asks for a sync as soon as possible. */
  kick(): void {
    if (this.stopped || this.done) return;
    this.dirty = true;
    this.otherKick = true;
    if (!this.running) this.idle = this.loop();
  }

  /**
   * The runtime's state of the pod changed (the relist saw `signature`). During a sync this is
   * usually the sync's own doing: when the sync ends having seen that very state, no second sync
   * is needed.
   */
  kickFromRuntime(signature: string): void {
    if (!this.running) return this.kick();
    if (this.stopped || this.done) return;
    this.dirty = true;
    this.runtimeKick = signature;
  }

  /**
   * Evicts the pod (node pressure): its containers are killed with `graceSeconds` and it ends Failed
   * with reason Evicted and `message`. Resolves once the sync that does it finished.
   */
  evict(message: string, graceSeconds: number): Promise<void> {
    this.evictedMessage = message;
    this.evictionGrace = graceSeconds;
    this.kick();
    return this.idle;
  }

  private evictionGrace = 0;
  /** Admission's outcome, decided at the first sync (a pod already running here counts as admitted). */
  private admission: 'admitted' | 'rejected' | undefined;

  /**
   * Whether this pod uses the node's resources for the admission of `other` (the kubelet admits
   * pods one by one in creation order against the active pods admitted before): admitted and not
   * finished, or not through admission yet but created before `other`.
   */
  countsForAdmissionOf(other: Pod): boolean {
    if (this.done || this.admission === 'rejected' || !this.pod || isTerminalPhase(this.pod.status?.phase)) return false;
    if (this.admission === 'admitted') return true;
    return createdBefore(this.pod, other);
  }

  /** The pod as last seen in the API. */
  get current(): Pod {
    return this.lastPod;
  }

  /** Re-syncs when the pod lives in `namespace` (a ConfigMap or Secret there changed). */
  kickIfNamespace(namespace: string): void {
    if (this.lastPod.metadata.namespace === namespace) this.kick();
  }

  /** Stops syncing (agent shutdown); containers are left as they are. Waits for a running sync. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.idle;
  }

  private wakeIn(ms: number): void {
    if (this.stopped || this.done) return;
    const clock = this.d.clock ?? realClock;
    const at = clock.now() + Math.max(0, ms);
    if (at >= this.nextWake) return;
    this.nextWake = at;
    this.timer?.cancel();
    this.timer = clock.setTimer(() => {
      this.nextWake = Infinity;
      this.kick();
    }, Math.max(0, ms));
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.stopped && !this.done) {
        this.dirty = false;
        this.otherKick = false;
        this.runtimeKick = undefined;
        this.observedSig = undefined;
        try {
          await this.sync();
          if (this.dirty && !this.otherKick && this.runtimeKick !== undefined && this.runtimeKick === this.observedSig) this.dirty = false;
        } catch (err) {
          this.d.log.warn({ pod: `${this.lastPod.metadata.namespace}/${this.lastPod.metadata.name}`, err: String(err) }, 'pod sync failed');
          this.wakeIn(1000);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private scratch(): SyncScratch {
    return { waiting: this.waiting, wakeIn: (ms) => this.wakeIn(ms) };
  }

  private async sync(): Promise<void> {
    const d = this.d;
    const pod = this.pod;
    const state = await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot);
    if (!pod) {
      // Force-deleted (or deleted while we were not looking): the grace period the deletion asked for, else 2 s.
      await killPod(d, this.lastPod, state, this.lastPod.metadata.deletionTimestamp ? podGracePeriod(this.lastPod) : 2);
      await cleanupPod(d, await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot));
      this.finish();
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      await killPod(d, pod, state, podGracePeriod(pod));
      const after = await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot);
      await d.status.write(pod, this.status(pod, after, true));
      await cleanupPod(d, after);
      await d.status.finishDeletion(pod);
      this.finish();
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      // Finished pods keep their containers (for status and logs) but nothing runs.
      if (state.containers.some((c) => c.state === 'CONTAINER_RUNNING') || readySandbox(state)) await killPod(d, pod, state, podGracePeriod(pod));
      return;
    }
    if (this.admission === undefined) {
      // Decided and recorded before any await (the next pod's admission counts this one), unless the
      // Node is read again (admit-pod.ts): meanwhile this pod counts as one not through admission yet.
      const answer = state.sandboxes.length === 0 ? this.o.admit?.(pod) : undefined;
      const refused = answer instanceof Promise ? await answer : answer;
      this.admission = refused ? 'rejected' : 'admitted';
      if (refused) {
        // kubelet rejectPod: a Warning event and the pod Failed with the admission's reason.
        d.events.event(pod, 'Warning', refused.reason, refused.message);
        await d.status.write(pod, { ...pod.status, phase: 'Failed', reason: refused.reason, message: `Pod was rejected: ${refused.message}` });
        return;
      }
    }
    // A rejected pod never runs, also before the informer shows it Failed.
    if (this.admission === 'rejected') return;
    if (this.evictedMessage !== undefined) {
      await killPod(d, pod, state, Math.min(this.evictionGrace, podGracePeriod(pod)));
      const after = await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot);
      await d.status.write(pod, this.status(pod, after, false, false, this.evictedMessage));
      return;
    }
    if (this.deadlineExceeded(pod)) {
      d.events.event(pod, 'Normal', 'DeadlineExceeded', DEADLINE_MESSAGE);
      await killPod(d, pod, state, podGracePeriod(pod));
      const after = await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot);
      await d.status.write(pod, this.status(pod, after, false, true));
      return;
    }
    await d.references?.ready(pod);
    await syncRunningPod(d, this.scratch(), pod, state);
    const after = await readPodRuntimeState(d.runtime, this.uid, d.sandboxEnv.cgroupRoot);
    // A container that stopped after this sync read the runtime (one it just started and that
    // crashed at once, an init container that completed) was not acted on: sync again, and leave the
    // PLEG to report it, instead of recording it as seen (the relist would then never report it).
    if (stoppedSince(state, after)) {
      this.kick();
    } else {
      this.observedSig = podSignature(after.sandboxes, after.containers);
      this.o.onObserved?.(this.uid, this.observedSig);
    }
    const sb = readySandbox(after);
    const running = after.containers
      .filter((c) => c.state === 'CONTAINER_RUNNING' && c.sandboxId === sb?.id)
      .map((c) => ({ id: c.id, name: c.name, startedAt: c.startedAt }));
    d.probes.sync(pod, sb?.ip ?? '', running, [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]);
    const status = this.status(pod, after, false);
    await d.status.write(pod, status);
    if (this.seenAt !== undefined && status.phase === 'Running') {
      podStartDuration.observe(undefined, monotonicSeconds() - this.seenAt);
      this.seenAt = undefined;
    }
    if (isTerminalPhase(status.phase)) {
      await killPod(d, pod, after, podGracePeriod(pod));
      return;
    }
    this.wakeIn(this.o.resyncMs);
  }

  private status(pod: Pod, state: PodRuntimeState, terminating: boolean, deadlineExceeded = false, evictedMessage?: string) {
    addTerminationMessages(state, pod, this.d.volumes.podDir(this.uid), podLogDir(pod, this.d.sandboxEnv.logsDir));
    return computePodStatus({
      pod, runtime: state, readiness: this.d.probes.readiness, startup: this.d.probes.startup, waiting: this.waiting,
      hostIP: this.d.node.hostIP, now: new Date(), terminating, deadlineExceeded, evictedMessage, runtimeName: this.d.runtimeName,
    });
  }

  /** activeDeadlineSeconds counts from status.startTime; wakes the worker when it will pass. */
  private deadlineExceeded(pod: Pod): boolean {
    const secs = pod.spec?.activeDeadlineSeconds;
    const start = pod.status?.startTime;
    if (secs === undefined || !start) return false;
    const left = Date.parse(start) + secs * 1000 - Date.now();
    if (left <= 0) return true;
    this.wakeIn(left + 50);
    return false;
  }

  private finish(): void {
    this.done = true;
    this.timer?.cancel();
    this.d.status.forget(this.uid);
    this.o.onDone(this.uid);
  }
}

/**
 * Whether the closing read of a sync (`after`) shows a container or sandbox stopped that the read
 * the sync acted on (`before`) did not. Judged by state, not by finishedAt: containerd's CRI plugin
 * records an exit with the exit's own time, which on a busy host can be before a read that still
 * saw the container running (an init container's exit taken for seen stalled its pod until the
 * resync). Stops the sync made itself (kills) only cost one more sync.
 */
export function stoppedSince(before: PodRuntimeState, after: PodRuntimeState): boolean {
  const stopped = (state: string) => state !== 'CONTAINER_RUNNING' && state !== 'CONTAINER_CREATED' && state !== 'SANDBOX_READY';
  const was = new Set([...before.containers, ...before.sandboxes].filter((x) => stopped(x.state)).map((x) => x.id));
  return [...after.containers, ...after.sandboxes].some((x) => stopped(x.state) && !was.has(x.id));
}
