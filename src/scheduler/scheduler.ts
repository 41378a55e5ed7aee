/**
 * The scheduler runtime: informers feed the cache (nodes, bound pods) and the queue (pods to
 * schedule); a loop pops a pod, runs the pure cycle on a snapshot, assumes the pod on the chosen
 * node at once and binds it through pods/binding without waiting. A pod that fits nowhere gets
 * PodScheduled=False (reason Unschedulable) and a FailedScheduling event; a bound pod a Scheduled
 * event ("Successfully assigned ns/pod to node").
 */
import type { Namespace } from '../api/kinds/core/namespace.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { isNotFound } from '../client/errors.js';
import { realClock, type Clock } from '../controller-runtime/clock/clock.js';
import { SeriesEventRecorder } from '../controller-runtime/events/series-recorder.js';
import { SharedInformerFactory, type SharedInformer } from '../controller-runtime/informer/index.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { SchedulerCache } from './cache/cache.js';
import { nodeEventHandler, podEventHandler } from './event-handlers.js';
import type { CycleState } from './framework/cycle-state.js';
import type { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import { buildProfile, type Profile, type ProfileConfig, type Registry } from './framework/profile.js';
import { schedulePod } from './framework/schedule-pod.js';
import { Code, Status } from './framework/status.js';
import { podKey, type Node, type Pod } from './framework/types.js';
import type { BindPodFn } from './plugins/default-binder/default-binder.js';
import { defaultProfileConfig, inTreeRegistry } from './plugins/registry.js';
import { attemptEnded, podScheduled } from './metrics.js';
import { Nominator } from './nominator.js';
import { preemptionHandle } from './preemption-executor.js';
import { volumeBindingDeps, volumeInformers, type VolumeInformers } from './plugins/volume-binding/deps.js';
import type { SpreadListers } from './plugins/pod-topology-spread/default-constraints.js';
import { spreadListers } from './plugins/pod-topology-spread/deps.js';
import { NAME as POD_TOPOLOGY_SPREAD } from './plugins/pod-topology-spread/pod-topology-spread.js';
import { SchedulingQueue, type QueueOptions, type QueuedPodInfo } from './queue/scheduling-queue.js';

export interface SchedulerOptions {
  client: KubeClient;
  /** Share a manager's informers; otherwise the scheduler makes its own. */
  informers?: SharedInformerFactory;
  /** events.k8s.io/v1 Events, as kube-scheduler's (series, reportingController = the scheduler name). */
  recorder?: SeriesEventRecorder;
  profile?: ProfileConfig;
  registry?: Registry;
  queue?: Omit<QueueOptions, 'clock'>;
  /**
   * Binds running at once before the loop waits for one to finish (default 32). Each is an HTTPS
   * request on its own keep-alive connection, so this also caps the connections the scheduler opens.
   */
  maxConcurrentBinds?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
  bindFailures: number;
  errors: number;
}

/** The message of the Scheduled event, as upstream. */
/** truncateMessage: an events.k8s.io note holds at most 1 kB (NoteLengthLimit). */
export const truncateNote = (message: string): string => (message.length <= 1024 ? message : `${message.slice(0, 1024 - 4)} ...`);
export const scheduledMessage = (pod: Pod, node: string) => `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`;

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly profile: Profile;
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0, bindFailures: 0, errors: 0 };
  private readonly client: KubeClient;
  private readonly informers: SharedInformerFactory;
  private readonly ownsInformers: boolean;
  private readonly recorder: SeriesEventRecorder;
  private readonly ownsRecorder: boolean;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly maxBinds: number;
  private podInformer?: SharedInformer<Pod>;
  private volumeInf?: VolumeInformers;
  /** PodTopologySpread's default selector reads these; made at start when the profile has the plugin. */
  private spreadListers?: SpreadListers;
  private readonly usesSpread: boolean;
  private startIndex = 0;
  private readonly nominator = new Nominator();
  private binds = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopping = false;

  constructor(opts: SchedulerOptions) {
    this.client = opts.client;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'scheduler' });
    this.informers = opts.informers ?? new SharedInformerFactory(opts.client, { clock: this.clock, logger: opts.logger });
    this.ownsInformers = !opts.informers;
    const config = opts.profile ?? defaultProfileConfig();
    this.recorder = opts.recorder ?? new SeriesEventRecorder(opts.client, { reportingController: config.schedulerName, clock: this.clock, logger: opts.logger });
    this.ownsRecorder = !opts.recorder;
    const bindPod: BindPodFn = async (ns, name, uid, node) => {
      await this.client.pods(ns).bind(name, node, uid ? { podUID: uid } : {});
    };
    const volumeBinding = volumeBindingDeps(this.client, () => this.volumeInf);
    const preemption = preemptionHandle({ client: this.client, informers: this.informers, recorder: this.recorder, log: this.log, now: () => this.clock.now(), profile: () => this.profile });
    this.usesSpread = config.plugins.some((p) => p.name === POD_TOPOLOGY_SPREAD);
    const spread = () => this.spreadListers;
    this.profile = buildProfile(config, opts.registry ?? inTreeRegistry, { bindPod, volumeBinding, spreadListers: spread, ...preemption });
    this.queue = new SchedulingQueue({ ...opts.queue, clock: this.clock });
    this.maxBinds = opts.maxConcurrentBinds ?? 32;
  }

  /** Starts informers and the scheduling loop; resolves once the caches synced. */
  async start(signal?: AbortSignal): Promise<void> {
    const targets = { cache: this.cache, queue: this.queue, nominator: this.nominator, schedulerName: this.profile.schedulerName };
    this.informers.informerFor<Node>(resources.nodes).addEventHandler(nodeEventHandler(targets));
    // One informer for all pods, split by spec.nodeName as upstream does: bound pods feed the
    // cache, unbound pods of this scheduler feed the queue.
    this.podInformer = this.informers.informerFor<Pod>(resources.pods);
    this.podInformer.addEventHandler(podEventHandler(targets));
    // Namespace labels for pod affinity terms' namespaceSelector (upstream's namespace lister).
    const namespaces = this.informers.informerFor<Namespace>(resources.namespaces);
    this.cache.namespaceLabels = (ns) => namespaces.indexer.get(ns)?.metadata.labels;
    // Claims, volumes and classes feed VolumeBinding; their changes may make a waiting pod fit.
    this.volumeInf = volumeInformers(this.informers);
    const storageChange = { onAdd: () => this.queue.onClusterEvent('StorageChange'), onUpdate: () => this.queue.onClusterEvent('StorageChange') };
    for (const inf of Object.values(this.volumeInf)) inf.addEventHandler(storageChange);
    // Services, RCs, ReplicaSets and StatefulSets give PodTopologySpread's default constraints their selector.
    if (this.usesSpread) this.spreadListers = spreadListers(this.informers);
    this.informers.start();
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    await this.informers.waitForCacheSync(signal);
    this.queue.run();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.queue.close();
    await this.loop;
    await Promise.all(this.binds);
    if (this.ownsInformers) await this.informers.stop();
    if (this.ownsRecorder) await this.recorder.close();
  }

  /** Resolves when every bind started so far has finished. */
  async waitForBinds(): Promise<void> {
    while (this.binds.size) await Promise.all(this.binds);
  }

  private async run(): Promise<void> {
    let lastYield = Date.now();
    for (;;) {
      const q = await this.queue.popWait();
      if (!q) return;
      try {
        this.scheduleOne(q);
      } catch (err) {
        this.log.error({ err: String(err), stack: (err as Error).stack, pod: q.podInfo.key }, 'scheduling cycle threw');
        this.queue.requeueFailed(q, Status.error(err), [], this.queue.schedulingCycle);
      }
      // Pops resolve without I/O while activeQ is full; let the watch and bind responses in.
      if (this.binds.size >= this.maxBinds) await Promise.race(this.binds);
      if (Date.now() - lastYield > 10) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
    }
  }

  /** One cycle: decide on the current snapshot, assume, and start the bind. */
  private scheduleOne(q: QueuedPodInfo): void {
    const cycle = this.queue.schedulingCycle;
    const start = performance.now();
    const pod = q.podInfo;
    const nominator = this.nominator;
    const nodeView = nominator.size ? (p: PodInfo, n: NodeInfo) => nominator.nodeFor(p, n) : undefined;
    const result = schedulePod(pod, this.cache.snapshot(), this.profile, { startIndex: this.startIndex, nodeView });
    this.startIndex = result.nextStartIndex;
    if ('node' in result) {
      const node = result.node;
      this.cache.assume(pod, node);
      for (const p of this.profile.reserve) {
        const st = p.reserve(result.state, pod, node);
        if (!st.isSuccess()) {
          for (const r of this.profile.reserve) r.unreserve(result.state, pod, node);
          this.cache.forget(pod.key);
          attemptEnded(st.code === Code.Error ? 'error' : 'unschedulable', start);
          this.fail(q, st.withPlugin(p.name), [], cycle);
          return;
        }
      }
      this.startBind(q, node, cycle, result.state, start);
    } else if ('diagnosis' in result) {
      // Preemption made room: the space is the pod's from now on (upstream's AddNominatedPod).
      if (result.nominatedNode) nominator.nominate(pod, result.nominatedNode);
      else if (result.nominatedNode === '') nominator.forget(pod.key);
      this.stats.unschedulable++;
      attemptEnded('unschedulable', start);
      this.fail(q, new Status(Code.Unschedulable, [result.message]), result.diagnosis.unschedulablePlugins, cycle, result.nominatedNode === '');
    } else {
      attemptEnded('error', start);
      this.fail(q, result.error, [], cycle);
    }
  }

  private startBind(q: QueuedPodInfo, node: string, cycle: number, state: CycleState, start: number): void {
    const pod = q.podInfo;
    const bind = (async () => {
      let st = await this.preBind(state, pod, node);
      if (st.isSuccess()) st = await this.bindWithPlugins(pod, node);
      if (st.isSuccess()) {
        this.stats.scheduled++;
        attemptEnded('scheduled', start);
        podScheduled(q.attempts, q.initialAttemptTimestamp, this.clock.now());
        this.queue.done(pod.key);
        this.recorder.event(pod.pod, 'Normal', 'Scheduled', scheduledMessage(pod.pod, node), { action: 'Binding' });
        return;
      }
      this.stats.bindFailures++;
      attemptEnded('error', start);
      this.cache.forget(pod.key);
      for (const r of this.profile.reserve) r.unreserve(state, pod, node);
      if (st.error && isNotFound(st.error)) {
        this.queue.delete(pod.key);
        this.queue.done(pod.key);
        return;
      }
      this.fail(q, new Status(Code.Error, [`binding rejected: ${st.message()}`]), [], cycle);
    })().catch((err) => this.log.error({ err: String(err) }, 'bind threw'));
    this.binds.add(bind);
    void bind.finally(() => this.binds.delete(bind));
  }

  /** PreBind plugins in order; the first failure stops them. */
  private async preBind(state: CycleState, pod: PodInfo, node: string): Promise<Status> {
    for (const p of this.profile.preBind) {
      const st = await p.preBind(state, pod, node);
      if (!st.isSuccess()) return st;
    }
    return Status.SUCCESS;
  }

  /** Bind plugins in order until one does not Skip. */
  private async bindWithPlugins(pod: PodInfo, node: string): Promise<Status> {
    let st: Status = Status.error(new Error('no bind plugin'));
    for (const b of this.profile.bind) {
      st = await b.bind(pod, node);
      if (st.code !== Code.Skip) break;
    }
    return st;
  }

  /**
   * Back to the queue, with PodScheduled=False and a FailedScheduling event; `clearNominated`: and
   * without status.nominatedNodeName (upstream updatePod with a "" override).
   */
  private fail(q: QueuedPodInfo, status: Status, plugins: Iterable<string>, cycle: number, clearNominated = false): void {
    if (status.code === Code.Error) this.stats.errors++;
    this.queue.requeueFailed(q, status, plugins, cycle);
    const message = status.message();
    const pod = this.currentPod(q.podInfo) ?? q.podInfo.pod;
    this.recorder.event(pod, 'Warning', 'FailedScheduling', truncateNote(message), { action: 'Scheduling' });
    void this.setUnschedulableCondition(pod, status.code === Code.Error ? 'SchedulerError' : 'Unschedulable', message, clearNominated);
  }

  private currentPod(info: PodInfo): Pod | undefined {
    const m = info.pod.metadata;
    return this.podInformer?.indexer.get(`${m.namespace}/${m.name}`);
  }

  private async setUnschedulableCondition(pod: Pod, reason: string, message: string, clearNominated: boolean): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const clear = clearNominated && !!pod.status?.nominatedNodeName;
    if (!clear && cur && cur.status === 'False' && cur.reason === reason && cur.message === message) return;
    const condition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null,
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    try {
      const status = clear ? { conditions: [condition], nominatedNodeName: null } : { conditions: [condition] };
      await this.client.pods(pod.metadata.namespace).patchStatus(pod.metadata.name!, 'strategic', { status });
    } catch (err) {
      if (!isNotFound(err)) this.log.warn({ err: String(err), pod: podKey(pod) }, 'failed to update PodScheduled condition');
    }
  }
}
