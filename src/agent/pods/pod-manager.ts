import type { Pod } from '../../api/kinds/index.js';
import { resources } from '../../client/resource-ref.js';
import type { SharedInformer, SharedInformerFactory } from '../../controller-runtime/informer/index.js';
import type { AgentDeps } from './context.js';
import { cleanupPod } from './kill.js';
import { Pleg } from './pleg.js';
import { PodWorker } from './pod-worker.js';
import type { AdmitResult } from './admit-pod.js';
import { readPodRuntimeState } from '../runtime/pod-state.js';

/**
 * Routes the node's pods to their workers: one informer on pods with spec.nodeName=<node> (the
 * Secrets and ConfigMaps they use are watched one by one, referenced-objects.ts, whose changes
 * re-sync the namespace's pods through kickNamespace so mounted files follow), and the PLEG relist that wakes workers on runtime changes and removes what
 * belongs to no pod (pods deleted while the agent was down).
 */

export interface PodManagerOptions {
  nodeName: string;
  factory: SharedInformerFactory;
  deps: AgentDeps;
  resyncMs: number;
  relistMs: number;
  /**
   * Admission of a pod not started yet (the kubelet's admit handlers, admit-pod.ts): its refusal, or
   * undefined (a promise of it when the Node is read again). `admitted` are the pods it is admitted
   * against (PodWorker.countsForAdmissionOf).
   */
  admit?: (pod: Pod, admitted: Pod[]) => AdmitResult | Promise<AdmitResult>;
}

const UID_INDEX = 'uid';

/**
 * Whether an update of the pod needs a sync. Status-only changes (mostly the agent's own writes)
 * do not, as in kubelet's pod config source, except conditions that readiness gates look at.
 */
export function needsSync(old: Readonly<Pod>, cur: Readonly<Pod>): boolean {
  const m = (p: Pod) => JSON.stringify([p.metadata.uid, p.metadata.deletionTimestamp, p.metadata.labels, p.metadata.annotations, p.spec]);
  if (m(old) !== m(cur)) return true;
  const gates = new Set((cur.spec?.readinessGates ?? []).map((g) => g.conditionType));
  if (!gates.size) return false;
  const gated = (p: Pod) => JSON.stringify((p.status?.conditions ?? []).filter((c) => gates.has(c.type)));
  return gated(old) !== gated(cur);
}

export class PodManager {
  readonly pods: SharedInformer<Pod>;
  private readonly workers = new Map<string, PodWorker>();
  /** Pods whose worker finished (deleted): ignored until the informer forgets them. */
  private readonly finished = new Set<string>();
  private readonly cleaning = new Set<string>();
  private readonly pleg: Pleg;
  private stopped = false;

  constructor(private readonly o: PodManagerOptions) {
    this.pods = o.factory.informerFor<Pod>(resources.pods, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    this.pods.addIndexers({ [UID_INDEX]: (p) => (p.metadata.uid ? [p.metadata.uid] : []) });
    this.pleg = new Pleg(o.deps.runtime, o.relistMs, (changed, all) => this.onRelist(changed, all), o.deps.log);
  }

  /** Registers handlers; call before the factory starts. */
  register(): void {
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p, true),
      onUpdate: (o, p) => this.onPod(p, needsSync(o, p)),
      onDelete: (p) => this.onPodDeleted(p),
    });
  }

  /** Re-syncs the pods of `namespace` (an object they may use changed). */
  kickNamespace(namespace: string): void {
    for (const w of this.workers.values()) w.kickIfNamespace(namespace);
  }

  /** Starts the relist loop (after the caches synced, so orphans are told apart from new pods). */
  startRelist(): void {
    this.pleg.start();
  }

  /**
   * Stops the workers, waiting at most `graceMs` for syncs in flight: a sync may be waiting out a
   * container's termination grace period, and an agent asked to stop must not hang on it. What is
   * abandoned is level-triggered state: the next agent start finishes it (pods keep running).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    await this.pleg.stop();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([Promise.all([...this.workers.values()].map((w) => w.stop())), deadline]);
    clearTimeout(timer);
  }

  /**
   * Whether the pod still holds node resources: it has a worker, or the API still has it bound here
   * and it has not finished (right after an agent restart, before its worker exists).
   */
  isActive(uid: string): boolean {
    return this.workers.has(uid) || (!this.finished.has(uid) && this.pods.indexer.byIndex(UID_INDEX, uid).length > 0);
  }

  /**
   * The pods the eviction manager may evict (kubelet's activePods): bound here, with a worker, not
   * being deleted and not finished.
   */
  activePods(): Pod[] {
    return this.pods.indexer.list().filter((p) => this.workers.has(p.metadata.uid ?? '') && !p.metadata.deletionTimestamp
      && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  /** The pods using the node when `pod` is admitted, in the kubelet's order (see PodWorker.countsForAdmissionOf). */
  private admittedBefore(pod: Pod): Pod[] {
    return [...this.workers.values()].filter((w) => w.uid !== pod.metadata.uid && w.countsForAdmissionOf(pod)).map((w) => w.current);
  }

  /** Evicts a pod through its worker (see PodWorker.evict); false when it has none. */
  async evict(uid: string, message: string, graceSeconds: number): Promise<boolean> {
    const w = this.workers.get(uid);
    if (!w) return false;
    await w.evict(message, graceSeconds);
    return true;
  }

  /** The worker of a pod (tests). */
  worker(uid: string): PodWorker | undefined {
    return this.workers.get(uid);
  }

  private onPod(pod: Readonly<Pod>, sync: boolean): void {
    const uid = pod.metadata.uid;
    if (!uid || this.stopped || this.finished.has(uid)) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker(uid, pod, this.o.deps, {
        resyncMs: this.o.resyncMs, admit: this.o.admit && ((p) => this.o.admit!(p, this.admittedBefore(p))), onDone: (id) => this.onDone(id), onObserved: (id, sig) => this.pleg.observed(id, sig),
      });
      this.workers.set(uid, w);
    }
    w.update(pod, sync);
  }

  private onPodDeleted(pod: Readonly<Pod>): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.finished.delete(uid);
    this.workers.get(uid)?.update(undefined);
  }

  private onDone(uid: string): void {
    this.workers.delete(uid);
    this.o.deps.references?.release(uid);
    this.o.deps.devices?.release(uid);
    if (this.pods.indexer.byIndex(UID_INDEX, uid).length) this.finished.add(uid);
  }

  private onRelist(changed: string[], all: Set<string>): void {
    for (const uid of changed) this.workers.get(uid)?.kickFromRuntime(this.pleg.signature(uid) ?? '');
    if (!this.pods.hasSynced()) return;
    for (const uid of all) {
      if (this.workers.has(uid) || this.cleaning.has(uid)) continue;
      if (this.pods.indexer.byIndex(UID_INDEX, uid).length && !this.finished.has(uid)) continue;
      void this.cleanupOrphan(uid);
    }
  }

  /** Containers of a pod the API no longer has: stopped (short grace) and removed with everything else. */
  private async cleanupOrphan(uid: string): Promise<void> {
    this.cleaning.add(uid);
    const d = this.o.deps;
    try {
      const state = await readPodRuntimeState(d.runtime, uid, d.sandboxEnv.cgroupRoot);
      await Promise.all(state.containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => d.runtime.stopContainer(c.id, 2)));
      await cleanupPod(d, state);
    } catch (err) {
      d.log.warn({ uid, err: String(err) }, 'orphan cleanup failed');
    } finally {
      this.cleaning.delete(uid);
    }
  }
}
