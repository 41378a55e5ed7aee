/**
 * A fleet of simulated nodes: N Node objects that register, heartbeat and "run" their pods like
 * kubelets without containers, all through the API client, cheaply enough for thousands of nodes
 * on a small machine: one pod informer and one node informer for the whole fleet (the process's
 * own when `informers` is given, so a server running controllers and a fleet holds one pod cache and
 * one pod watch), lease renewals spread over the heartbeat period (HeartbeatWheel), and two caps on
 * concurrent requests: one for heartbeats (leases, node status) and one for pod status, so a burst of
 * pod starts never delays a lease renewal into a missed heartbeat.
 *
 * Lifecycle of a simulated node, as a kubelet's: register (create Node with status, or refresh the
 * status of an existing one), create its Lease in kube-node-lease (owned by the Node), renew the
 * lease every `heartbeatMs`, re-post the Ready condition every `statusReportMs` and whenever the
 * Node does not say Ready (e.g. after the node lifecycle controller marked it Unknown).
 * `stop(name)` (or the PAUSED_ANNOTATION on the Node) silences it as a dead machine would be;
 * `resume(name)` brings it back.
 */
import type { ContainerImage, Node, Pod } from '../api/kinds/index.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { realClock, type Clock } from '../controller-runtime/clock/clock.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import type { SharedInformer } from '../controller-runtime/informer/shared-informer.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { Limiter } from './limiter.js';
import { nodeConditions, nodeObject, PAUSED_ANNOTATION, SIMULATED_LABEL, type NodeShape } from './node-object.js';
import { renewLease } from './node-lease.js';
import { PodRunner } from './pod-runner.js';
import { SimNode } from './sim-node.js';
import { copyOf } from '../controller-runtime/informer/indexer.js';

export interface SimulatedNodesOptions {
  /** How many nodes. */
  count: number;
  /** Name prefix; names are prefix + a zero-padded number from `firstIndex` (sim-0001). Default `sim-`. */
  prefix?: string;
  /** Default 1. */
  firstIndex?: number;
  /** Capacity (and allocatable) per node. Defaults: cpu 8, memory 32Gi, pods 110. */
  cpu?: string;
  memory?: string;
  pods?: number;
  /** Extra labels on every node (e.g. a zone). */
  labels?: Record<string, string>;
  /** status.images of every node (names and sizes, as a kubelet reports its runtime's images). Default none. */
  images?: readonly ContainerImage[];
  /** Lease renewal period. Default 5000 ms. */
  heartbeatMs?: number;
  /** spec.leaseDurationSeconds of the leases. Default 40. */
  leaseDurationSeconds?: number;
  /** Ready condition re-posted this often even when nothing changed. Default 60 s. */
  statusReportMs?: number;
  /** Delay between seeing a pod bound and reporting it Running and Ready. Default 1000 ms. */
  readyDelayMs?: number;
  /**
   * Pods whose restartPolicy is Never or OnFailure (a Job's) exit 0 and turn Succeeded this long after
   * they were reported Running, as kwok's pod-complete stage. Undefined (default): they run forever.
   */
  runToCompletionMs?: number;
  /**
   * Images the nodes cannot pull (as a registry without them): a pod with one stays Pending, its
   * container waiting in ErrImagePull, never Ready, as upstream's e2e pods of a nonexistent image.
   */
  unpullableImages?: readonly string[];
  /** Concurrent heartbeat calls (lease renewals, node status, registration) of the whole fleet. Default 32. */
  maxInFlight?: number;
  /** Concurrent pod calls (status reports, final deletes) of the whole fleet. Default 32. */
  maxPodInFlight?: number;
  /**
   * Share these informers (e.g. a controller manager's) instead of opening the fleet's own pod and
   * node watches. The fleet starts the two it uses; it never stops a shared factory.
   */
  informers?: SharedInformerFactory;
  clock?: Clock;
  logger?: Logger;
}

export interface FleetStats {
  nodes: number;
  running: number;
  renewals: number;
  renewalFailures: number;
  statusPosts: number;
}

export class SimulatedFleet {
  readonly nodeNames: readonly string[];
  private readonly nodes = new Map<string, SimNode>();
  private readonly informers: SharedInformerFactory;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly runner: PodRunner;
  private readonly wheel: HeartbeatWheel;
  /** Heartbeats: registration, lease renewals, node status. */
  private readonly limiter: Limiter;
  /** Pod status reports and deletes. */
  private readonly podLimiter: Limiter;
  private readonly ownsInformers: boolean;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly shape: NodeShape;
  private readonly counters = { renewals: 0, renewalFailures: 0, statusPosts: 0 };
  private closed = false;

  constructor(private readonly client: KubeClient, private readonly opts: SimulatedNodesOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'simulated-nodes' });
    this.limiter = new Limiter(opts.maxInFlight ?? 32);
    this.podLimiter = new Limiter(opts.maxPodInFlight ?? 32);
    this.shape = { cpu: opts.cpu ?? '8', memory: opts.memory ?? '32Gi', pods: opts.pods ?? 110, labels: opts.labels ?? {}, images: opts.images };
    const first = opts.firstIndex ?? 1;
    const width = Math.max(4, String(first + opts.count - 1).length);
    const prefix = opts.prefix ?? 'sim-';
    for (let i = first; i < first + opts.count; i++) {
      const name = `${prefix}${String(i).padStart(width, '0')}`;
      this.nodes.set(name, new SimNode(name, i));
    }
    this.nodeNames = [...this.nodes.keys()];
    this.ownsInformers = !opts.informers;
    this.informers = opts.informers ?? new SharedInformerFactory(client, { logger: this.log, clock: this.clock });
    // A shared factory's node informer is the unfiltered one everybody uses; handlers skip other nodes.
    this.nodeInformer = this.informers.informerFor<Node>(resources.nodes, this.ownsInformers ? { labelSelector: `${SIMULATED_LABEL}=true` } : {});
    this.podInformer = this.informers.informerFor<Pod>(resources.pods);
    this.nodeInformer.addEventHandler({ onAdd: (n) => this.nodeChanged(n), onUpdate: (_o, n) => this.nodeChanged(n), onDelete: (n) => this.nodeDeleted(n) });
    this.runner = new PodRunner({
      client, pods: this.podInformer, limiter: this.podLimiter, clock: this.clock, logger: this.log,
      readyDelayMs: opts.readyDelayMs ?? 1000, runToCompletionMs: opts.runToCompletionMs, unpullableImages: new Set(opts.unpullableImages ?? []),
      runningNode: (name) => {
        const sim = name ? this.nodes.get(name) : undefined;
        return sim?.running ? sim : undefined;
      },
    });
    this.wheel = new HeartbeatWheel(opts.heartbeatMs ?? 5000, (name) => this.beat(name), this.clock);
  }

  /** Register every node and its lease, then start heartbeats and pod handling. */
  async start(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((sim) => this.limiter.run(() => this.register(sim))));
    this.nodeInformer.start();
    this.podInformer.start();
    if (!(await this.nodeInformer.waitForSync()) || !(await this.podInformer.waitForSync())) throw new Error('simulated nodes: informers stopped before they synced');
    for (const name of this.nodes.keys()) this.wheel.add(name);
    this.wheel.start();
    this.runner.controller.start();
  }

  /** Silence a node as if its machine died: no lease renewals, no status, its pods left as they are. */
  stop(name: string): void {
    const sim = this.must(name);
    sim.stopped = true;
    this.wheel.remove(name);
  }

  /**
   * Bring a stopped node back: renew at once, report Ready, pick up its pods again. A node whose
   * Node object was deleted registers again (resolves once it has).
   */
  async resume(name: string): Promise<void> {
    const sim = this.must(name);
    sim.stopped = false;
    if (sim.deregistered) {
      await this.limiter.run(() => this.register(sim));
      sim.deregistered = false;
    }
    if (sim.running) this.wake(sim);
  }

  isRunning(name: string): boolean {
    return this.must(name).running;
  }

  /** Pods the API shows bound to a simulated node. */
  podsOn(name: string): number {
    return this.runner.podsOn(name).length;
  }

  stats(): FleetStats {
    let running = 0;
    for (const s of this.nodes.values()) if (s.running) running++;
    return { nodes: this.nodes.size, running, ...this.counters };
  }

  /** Stop everything the fleet runs. Nodes stay registered (they go Unknown) unless `deleteNodes`. */
  async close(o: { deleteNodes?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.wheel.stop();
    await this.runner.controller.stop();
    if (this.ownsInformers) await this.informers.stop();
    await Promise.all([this.limiter.idle(), this.podLimiter.idle()]);
    if (o.deleteNodes) {
      await Promise.all(this.nodeNames.map((n) => this.limiter.run(() => this.client.nodes().delete(n)).catch((e) => { if (!isNotFound(e)) throw e; })));
    }
  }

  private must(name: string): SimNode {
    const sim = this.nodes.get(name);
    if (!sim) throw new Error(`no simulated node ${name}`);
    return sim;
  }

  private wake(sim: SimNode): void {
    if (this.closed) return;
    this.wheel.add(sim.name);
    this.beat(sim.name);
    void this.postStatus(sim);
    this.runner.resync(sim.name);
  }

  private async register(sim: SimNode): Promise<void> {
    const now = this.clock.now();
    let node: Node;
    try {
      node = await this.client.nodes<Node>().create(nodeObject(sim.name, sim.index, this.shape, now));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Re-registration (the fleet restarted): the node is ours again; report fresh conditions.
      const cur = await this.client.nodes<Node>().get(sim.name);
      cur.status = { ...(cur.status ?? {}), conditions: nodeConditions(now, cur.status?.conditions ?? []), images: this.shape.images?.length ? [...this.shape.images] : undefined };
      node = await this.client.nodes<Node>().updateStatus(cur);
    }
    sim.uid = node.metadata.uid;
    sim.paused = node.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
    sim.lastStatusMs = now;
    await this.renewLease(sim);
  }

  private nodeChanged(node: Readonly<Node>): void {
    const sim = this.nodes.get(node.metadata.name ?? '');
    if (!sim || this.closed) return;
    sim.uid = node.metadata.uid;
    const wasRunning = sim.running;
    sim.paused = node.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
    if (sim.paused) this.wheel.remove(sim.name);
    if (!sim.running) return;
    if (!wasRunning) return this.wake(sim);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') void this.postStatus(sim);
  }

  /** Someone deleted the Node: like a kubelet that was removed, the node goes quiet until resumed. */
  private nodeDeleted(node: Readonly<Node>): void {
    const sim = this.nodes.get(node.metadata.name ?? '');
    if (!sim || this.closed || sim.uid !== node.metadata.uid) return;
    sim.stopped = true;
    sim.deregistered = true;
    sim.lease = undefined;
    this.wheel.remove(sim.name);
  }

  private beat(name: string): void {
    const sim = this.nodes.get(name);
    if (!sim?.running || sim.renewing || this.closed) return;
    sim.renewing = true;
    void this.limiter.run(() => this.renewLease(sim)).then(
      () => this.counters.renewals++,
      (err) => {
        this.counters.renewalFailures++;
        this.log.debug({ node: name, err: String(err) }, 'lease renewal failed');
      },
    ).finally(() => { sim.renewing = false; });
    if (this.clock.now() - sim.lastStatusMs >= (this.opts.statusReportMs ?? 60_000)) void this.postStatus(sim);
  }

  /** Renews the node's lease (node-lease.ts) with the fleet's lease duration and clock. */
  private renewLease(sim: SimNode): Promise<void> {
    return renewLease(this.client, sim, this.opts.leaseDurationSeconds ?? 40, this.clock.now());
  }

  /** Post fresh conditions (Ready=True, new heartbeat) on the cached node. */
  private async postStatus(sim: SimNode): Promise<void> {
    if (sim.postingStatus || !sim.running || this.closed) return;
    const cached = this.nodeInformer.indexer.get(sim.name);
    if (!cached) return;
    sim.postingStatus = true;
    try {
      const now = this.clock.now();
      const next = copyOf(cached);
      next.status = { ...(next.status ?? {}), conditions: nodeConditions(now, cached.status?.conditions ?? []) };
      await this.limiter.run(() => this.client.nodes<Node>().updateStatus(next));
      sim.lastStatusMs = now;
      this.counters.statusPosts++;
    } catch (err) {
      // Conflicts and the like: the next heartbeat or node event tries again.
      this.log.debug({ node: sim.name, err: String(err) }, 'node status update failed');
    } finally {
      sim.postingStatus = false;
    }
  }
}
