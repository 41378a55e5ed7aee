/**
 * The node lifecycle controller (upstream pkg/controller/nodelifecycle plus the taint eviction
 * controller), one reconcile per node:
 *
 *   1. health: a node whose lease (kube-node-lease/<node>) and Ready heartbeat have not moved for
 *      `gracePeriodMs`, measured on this controller's clock, gets every condition Unknown;
 *   2. taints: Ready=False -> not-ready, Ready=Unknown -> unreachable (NoSchedule + NoExecute), and
 *      unschedulable -> unschedulable:NoSchedule; they go when the node's agent reports Ready again;
 *   3. pods on a node that is not Ready are marked Ready=False (MarkPodsNotReady);
 *   4. pods on a node with NoExecute taints are deleted when their tolerations run out (see
 *      tolerations.ts; `defaultTolerationSeconds` stands in for the DefaultTolerationSeconds
 *      admission plugin), unless most nodes are down at once (disruption.ts).
 *
 * Wiring: node events enqueue the node; lease events only record signs of life (no reconcile per
 * heartbeat); pod events enqueue their node only when it is unhealthy or tainted; a monitor timer
 * enqueues nodes that have just gone stale. With the defaults (heartbeat 5 s in the simulated
 * fleet, grace 20 s, monitor 2 s, default toleration 15 s) pods leave a dead node within ~40 s.
 */
import type { Lease, Node, Pod, Taint } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import type { Clock } from '../../controller-runtime/clock/clock.js';
import { realClock } from '../../controller-runtime/clock/clock.js';
import { Controller } from '../../controller-runtime/controller.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { indexers } from '../../controller-runtime/informer/indexer.js';
import type { SharedInformer } from '../../controller-runtime/informer/shared-informer.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';
import { evictionsAllowed, noExecuteMode, ReadinessTally, type ClusterState } from './disruption.js';
import { msUntilStale, observe, staleConditions, type HealthRecord } from './node-health.js';
import { notReadyConditions } from './pod-readiness.js';
import { readyStatus, reconcileTaints } from './taints.js';
import { evictionDeadline, withDefaultTolerations } from './tolerations.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const POD_NODE_INDEX = 'podsByNodeName';

export interface NodeLifecycleOptions {
  /** A node silent this long goes Unknown (upstream --node-monitor-grace-period, 40 s). Default 20 s. */
  gracePeriodMs?: number;
  /** How often silent nodes are looked for (upstream --node-monitor-period, 5 s). Default 2 s. */
  monitorPeriodMs?: number;
  /**
   * tolerationSeconds given to pods without their own not-ready/unreachable NoExecute toleration
   * (upstream's admission plugin uses 300 s). Default 15; `null` gives them none (evicted at once).
   */
  defaultTolerationSeconds?: number | null;
  /** Concurrent node reconciles. Default 4. */
  workers?: number;
}

interface Ctx {
  client: KubeClient;
  clock: Clock;
  nodes: SharedInformer<Node>;
  leases: SharedInformer<Lease>;
  pods: SharedInformer<Pod>;
  health: Map<string, HealthRecord>;
  /** Readiness of every node, kept by the node event handlers (the cluster state in O(1)). */
  tally: ReadinessTally;
  /** When this controller first saw a NoExecute taint that carries no timeAdded. */
  firstSeen: Map<string, number>;
  events: EventRecorder;
  graceMs: number;
  monitorPeriodMs: number;
  defaultToleration: number | undefined;
}

/** Declare the node lifecycle controller on `mgr`; it runs when the manager starts. */
export function addNodeLifecycleController(mgr: Manager, opts: NodeLifecycleOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? realClock;
  const ctx: Ctx = {
    client: mgr.client, clock,
    nodes: mgr.informers.informerFor<Node>(resources.nodes),
    // Cluster-wide, so it is the same informer (one watch, one cache) as the garbage collector's;
    // handlers look at kube-node-lease only.
    leases: mgr.informers.informerFor<Lease>(resources.leases),
    pods: mgr.informers.informerFor<Pod>(resources.pods),
    health: new Map(), firstSeen: new Map(), tally: new ReadinessTally(),
    events: mgr.eventRecorder('node-controller'),
    graceMs: opts.gracePeriodMs ?? 20_000,
    monitorPeriodMs: opts.monitorPeriodMs ?? 2_000,
    defaultToleration: opts.defaultTolerationSeconds === null ? undefined : (opts.defaultTolerationSeconds ?? 15),
  };
  try {
    ctx.pods.addIndexers({ [POD_NODE_INDEX]: indexers.podsByNodeName as (p: Pod) => string[] });
  } catch {
    // Another controller registered the same standard index on the shared informer.
  }
  const controller = new Controller('node-lifecycle', (req) => reconcile(ctx, req.name), { ...mgr.controllerDefaults, workers: opts.workers ?? 4 });
  const see = (name: string) => ctx.health.set(name, observe(ctx.health.get(name), ctx.nodes.indexer.get(name), ctx.leases.indexer.get(`${NODE_LEASE_NAMESPACE}/${name}`), clock.now()));

  ctx.nodes.addEventHandler({
    onAdd: (n) => { ctx.tally.set(n); see(n.metadata.name!); controller.enqueue(n.metadata.name!); },
    onUpdate: (_o, n) => { ctx.tally.set(n); see(n.metadata.name!); controller.enqueue(n.metadata.name!); },
    onDelete: (n) => { ctx.tally.delete(n.metadata.name!); ctx.health.delete(n.metadata.name!); },
  });
  ctx.leases.addEventHandler({
    onAdd: (l) => { if (l.metadata.namespace === NODE_LEASE_NAMESPACE && ctx.nodes.indexer.has(l.metadata.name!)) see(l.metadata.name!); },
    onUpdate: (_o, l) => { if (l.metadata.namespace === NODE_LEASE_NAMESPACE && ctx.nodes.indexer.has(l.metadata.name!)) see(l.metadata.name!); },
  });
  const podChanged = (p: Readonly<Pod>) => {
    const node = p.spec?.nodeName ? ctx.nodes.indexer.get(p.spec.nodeName) : undefined;
    if (node && (readyStatus(node) !== 'True' || (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute'))) controller.enqueue(node.metadata.name!);
  };
  ctx.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });

  mgr.addController(controller);
  const period = ctx.monitorPeriodMs;
  let timer: { cancel(): void } | undefined;
  let lastState: ClusterState = 'Normal';
  const monitor = () => {
    const now = clock.now();
    const all = ctx.nodes.indexer.list();
    const state = ctx.tally.state();
    // Entering or leaving a disruption changes every node's NoExecute taints.
    if (state !== lastState) for (const node of all) controller.enqueue(node.metadata.name!);
    lastState = state;
    for (const node of all) {
      const name = node.metadata.name!;
      if (!ctx.health.has(name)) see(name);
      if (msUntilStale(ctx.health.get(name)!, ctx.graceMs, now) <= 0 && readyStatus(node) !== 'Unknown') controller.enqueue(name);
    }
    timer = clock.setTimer(monitor, period);
  };
  mgr.add({
    start: () => { timer = clock.setTimer(monitor, period); },
    stop: () => timer?.cancel(),
  });
  return controller;
}

async function reconcile(ctx: Ctx, name: string): Promise<Result | void> {
  const node = ctx.nodes.indexer.get(name);
  if (!node) return;
  const now = ctx.clock.now();
  const rec = observe(ctx.health.get(name), node, ctx.leases.indexer.get(`${NODE_LEASE_NAMESPACE}/${name}`), now);
  ctx.health.set(name, rec);

  if (msUntilStale(rec, ctx.graceMs, now) <= 0) {
    const conditions = staleConditions(node, new Date(now));
    if (conditions) {
      const next = copyOf(node);
      next.status = { ...(next.status ?? {}), conditions };
      await ignoreGone(ctx.client.updateStatus(resources.nodes, undefined, next));
      if (readyStatus(node) === 'True') ctx.events.event({ apiVersion: 'v1', kind: 'Node', ...node }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      return; // the update event brings the node back with its new conditions
    }
  }

  const state = ctx.tally.state();
  const nodeCount = ctx.tally.size;
  const taints = reconcileTaints(node, new Date(now), noExecuteMode(state, nodeCount));
  if (taints) {
    const next = copyOf(node);
    next.spec = { ...(next.spec ?? {}), taints };
    if (taints.length === 0) delete next.spec.taints;
    await ignoreGone(ctx.client.update(resources.nodes, undefined, next));
    return;
  }

  const pods = ctx.pods.indexer.byIndex(POD_NODE_INDEX, name);
  if (readyStatus(node) !== 'True') await markPodsNotReady(ctx, pods, new Date(now));
  // In a disruption nothing is evicted; the monitor wakes every node when it ends.
  if (!evictionsAllowed(state, nodeCount)) return;
  return evictPods(ctx, node, pods, now);
}

async function markPodsNotReady(ctx: Ctx, pods: readonly Readonly<Pod>[], now: Date): Promise<void> {
  for (const pod of pods) {
    const conditions = notReadyConditions(pod, now);
    if (!conditions) continue;
    const next = copyOf(pod);
    next.status = { ...(next.status ?? {}), conditions };
    await ignoreGone(ctx.client.updateStatus(resources.pods, pod.metadata.namespace, next));
  }
}

/** Delete pods whose tolerations ran out; come back when the next one will. */
async function evictPods(ctx: Ctx, node: Readonly<Node>, pods: readonly Readonly<Pod>[], now: number): Promise<Result | void> {
  const name = node.metadata.name!;
  const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  for (const k of ctx.firstSeen.keys()) if (k.startsWith(`${name}\0`) && !taints.some((t) => k === seenKey(name, t))) ctx.firstSeen.delete(k);
  if (taints.length === 0) return;
  const addedAt = (t: Taint): number => {
    if (t.timeAdded) return Date.parse(t.timeAdded);
    const k = seenKey(name, t);
    if (!ctx.firstSeen.has(k)) ctx.firstSeen.set(k, now);
    return ctx.firstSeen.get(k)!;
  };
  let next = Infinity;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const deadline = evictionDeadline(withDefaultTolerations(pod.spec?.tolerations, ctx.defaultToleration), taints, addedAt);
    if (deadline === undefined) continue;
    if (deadline > now) {
      next = Math.min(next, deadline - now);
      continue;
    }
    ctx.events.event({ apiVersion: 'v1', kind: 'Pod', ...pod }, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
    await ignoreGone(ctx.client.delete(resources.pods, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }));
  }
  return next === Infinity ? undefined : { requeueAfter: Math.max(1, next) };
}

const seenKey = (node: string, t: Taint) => `${node}\0${t.key}\0${t.value ?? ''}`;

/** A write to an object that is gone is moot; anything else (409 from a stale cache) retries the node with backoff. */
async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
