/**
 * What a simulated node does for its pods, through one cluster-wide pod informer shared by the whole
 * fleet: a pod bound to a running simulated node becomes Running and Ready with a fake IP
 * `readyDelayMs` after the fleet first saw it bound; a pod marked for deletion is deleted for good
 * (gracePeriodSeconds 0), as a kubelet does once containers stop. Pods of a stopped node are left
 * exactly as they are, which is how a dead machine looks from the API.
 */
import type { Pod } from '../api/kinds/index.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import type { Clock } from '../controller-runtime/clock/clock.js';
import { Controller } from '../controller-runtime/controller.js';
import { indexers } from '../controller-runtime/informer/indexer.js';
import { keyOf } from '../controller-runtime/informer/keys.js';
import type { SharedInformer } from '../controller-runtime/informer/shared-informer.js';
import type { Logger } from '../controller-runtime/log.js';
import type { Result } from '../controller-runtime/reconcile.js';
import { hostPortsTaken, rejectedStatus } from './admission.js';
import type { Limiter } from './limiter.js';
import { imagePullFailedPatch, looksRunning, runningStatusPatch, succeededStatusPatch, unpullableImage } from './pod-status.js';
import type { SimNode } from './sim-node.js';

const BY_NODE = 'podsByNodeName';

export interface PodRunnerDeps {
  client: KubeClient;
  pods: SharedInformer<Pod>;
  limiter: Limiter;
  clock: Clock;
  logger: Logger;
  readyDelayMs: number;
  /** Never/OnFailure pods succeed this long after Running (undefined: never). */
  runToCompletionMs?: number;
  /** Images no node can pull: their pods stay Pending in ErrImagePull. */
  unpullableImages: ReadonlySet<string>;
  /** The simulated node a pod is bound to, if it is ours and running. */
  runningNode(name: string | undefined): SimNode | undefined;
}

export class PodRunner {
  readonly controller: Controller;
  private readonly seenAt = new Map<string, number>();

  constructor(private readonly d: PodRunnerDeps) {
    try {
      d.pods.addIndexers({ [BY_NODE]: indexers.podsByNodeName as (p: Pod) => string[] });
    } catch {
      // A shared informer (the controller manager's) already has this standard index.
    }
    this.controller = new Controller('simulated-pods', (req) => this.reconcile(`${req.namespace}/${req.name}`), { workers: 16, clock: d.clock, logger: d.logger });
    const changed = (p: Readonly<Pod>) => {
      if (d.runningNode(p.spec?.nodeName)) this.controller.enqueue(keyOf(p));
    };
    d.pods.addEventHandler({
      onAdd: changed,
      onUpdate: (_o, p) => changed(p),
      onDelete: (p) => {
        this.seenAt.delete(p.metadata.uid ?? '');
        d.runningNode(p.spec?.nodeName)?.ips.release(p.metadata.uid ?? '');
      },
    });
  }

  /** Look at every pod of a node again (after it resumes). */
  resync(node: string): void {
    for (const p of this.d.pods.indexer.byIndex(BY_NODE, node)) this.controller.enqueue(keyOf(p));
  }

  /** Pods bound to `node`, as cached. */
  podsOn(node: string): readonly Readonly<Pod>[] {
    return this.d.pods.indexer.byIndex(BY_NODE, node);
  }

  private async reconcile(key: string): Promise<Result | void> {
    const pod = this.d.pods.indexer.get(key);
    if (!pod) return;
    const sim = this.d.runningNode(pod.spec?.nodeName);
    if (!sim) return;
    const uid = pod.metadata.uid ?? '';
    const { client, limiter, clock } = this.d;
    if (pod.metadata.deletionTimestamp) {
      await limiter.run(() => client.delete(resources.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } }))
        .catch((err) => { if (!isNotFound(err) && !isConflict(err)) throw err; });
      sim.ips.release(uid);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (phase !== 'Running' && hostPortsTaken(pod, this.podsOn(sim.name))) return this.reject(pod);
    const missing = unpullableImage(pod, this.d.unpullableImages);
    if (missing !== undefined) return this.failPull(pod, missing);
    const ip = (pod.status?.podIP && sim.ips.claim(uid, pod.status.podIP)) ? pod.status.podIP : sim.ips.allocate(uid);
    if (!ip) {
      this.d.logger.warn({ pod: key, node: sim.name }, 'simulated node is out of pod IPs');
      return;
    }
    if (looksRunning(pod, ip)) return this.maybeComplete(pod);
    const now = clock.now();
    if (!this.seenAt.has(uid)) this.seenAt.set(uid, now);
    const wait = this.seenAt.get(uid)! + this.d.readyDelayMs - now;
    if (wait > 0) return { requeueAfter: wait };
    // One merge patch per transition (Running and Ready at once), as a kubelet's status manager
    // patches: no copy of the pod, no conflicts with other writers. metadata.uid makes it apply to
    // this pod only, never to a successor of the same name. The answer is not decoded: the fleet
    // stands for kubelets on other machines, whose client work is not the control plane's.
    const status = runningStatusPatch(pod, ip, sim.hostIP, now);
    await limiter.run(() => client.pods(pod.metadata.namespace).patchStatusNoResult(pod.metadata.name!, 'merge', { metadata: { uid }, status })).catch((err) => {
      if (isNotFound(err)) return;
      if (this.d.pods.indexer.get(key)?.metadata.uid !== uid) return; // replaced: the new pod has its own reconcile
      throw err;
    });
  }

  /** A pod the kubelet's admission refuses (host ports taken): Failed, as rejectPod writes it. */
  private async reject(pod: Readonly<Pod>): Promise<void> {
    await this.d.limiter.run(() => this.d.client.pods(pod.metadata.namespace).patchStatusNoResult(pod.metadata.name!, 'merge', { metadata: { uid: pod.metadata.uid }, status: rejectedStatus() })).catch((err) => {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    });
  }

  /** A pod with an image no node can pull: Pending, the container waiting in ErrImagePull (once). */
  private async failPull(pod: Readonly<Pod>, image: string): Promise<void> {
    if (pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'ErrImagePull')) return;
    const uid = pod.metadata.uid;
    await this.d.limiter.run(() => this.d.client.pods(pod.metadata.namespace).patchStatusNoResult(pod.metadata.name!, 'merge', { metadata: { uid }, status: imagePullFailedPatch(pod, image, this.d.clock.now()) })).catch((err) => {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    });
  }

  /** A running pod of a Job exits 0 `runToCompletionMs` after it started. */
  private async maybeComplete(pod: Readonly<Pod>): Promise<Result | void> {
    const runFor = this.d.runToCompletionMs;
    const policy = pod.spec?.restartPolicy;
    if (runFor === undefined || (policy !== 'Never' && policy !== 'OnFailure')) return;
    const started = Date.parse(pod.status?.startTime ?? '');
    const now = this.d.clock.now();
    const wait = (Number.isNaN(started) ? now : started) + runFor - now;
    if (wait > 0) return { requeueAfter: wait };
    const uid = pod.metadata.uid;
    await this.d.limiter.run(() => this.d.client.pods(pod.metadata.namespace).patchStatusNoResult(pod.metadata.name!, 'merge', { metadata: { uid }, status: succeededStatusPatch(pod, now) })).catch((err) => {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    });
  }
}
