/**
 * Disruption guard (upstream nodelifecycle ComputeZoneState and handleDisruption, one zone): when
 * no node is Ready the trouble is more likely the control plane's view than every machine at once,
 * so nothing is evicted ("full disruption"); in a small cluster (< 50 nodes) where more than two
 * nodes and at least 55 % of them are not Ready ("partial disruption") upstream's eviction rate is
 * zero, so nothing is evicted either. In full disruption the NoExecute taints are removed, so
 * eviction clocks start afresh when nodes come back; conditions and NoSchedule taints stay.
 */
import type { Node } from '../../api/kinds/index.js';
import { readyStatus, type NoExecuteMode } from './taints.js';

export type ClusterState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

const UNHEALTHY_THRESHOLD = 0.55;
const LARGE_CLUSTER = 50;

export function clusterState(nodes: readonly Pick<Node, 'status'>[]): ClusterState {
  let notReady = 0;
  for (const n of nodes) if (readyStatus(n) !== 'True') notReady++;
  return stateOfCounts(nodes.length, notReady);
}

function stateOfCounts(total: number, notReady: number): ClusterState {
  const ready = total - notReady;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / total >= UNHEALTHY_THRESHOLD) return 'PartialDisruption';
  return 'Normal';
}

/**
 * The cluster state kept up to date node by node (from node events), so that reconciling one node
 * costs O(1) rather than a scan of every node: with thousands of nodes re-posting status, a scan per
 * reconcile made the controller quadratic.
 */
export class ReadinessTally {
  private readonly ready = new Map<string, boolean>();
  private notReady = 0;

  /** Record a node as it is now. */
  set(node: Pick<Node, 'metadata' | 'status'>): void {
    const name = node.metadata.name!;
    const isReady = readyStatus(node) === 'True';
    const was = this.ready.get(name);
    if (was === isReady) return;
    if (was === false) this.notReady--;
    if (!isReady) this.notReady++;
    this.ready.set(name, isReady);
  }

  delete(name: string): void {
    const was = this.ready.get(name);
    if (was === undefined) return;
    if (!was) this.notReady--;
    this.ready.delete(name);
  }

  /** Nodes recorded. */
  get size(): number {
    return this.ready.size;
  }

  /** Same as clusterState() of the recorded nodes. */
  state(): ClusterState {
    return stateOfCounts(this.ready.size, this.notReady);
  }
}

/** Whether NoExecute evictions may proceed in this state (partial disruption only stops them in small clusters). */
export function evictionsAllowed(state: ClusterState, nodeCount: number): boolean {
  if (state === 'FullDisruption') return false;
  if (state === 'PartialDisruption') return nodeCount >= LARGE_CLUSTER;
  return true;
}

/** How NoExecute taints are handled in this state (see taints.ts). */
export function noExecuteMode(state: ClusterState, nodeCount: number): NoExecuteMode {
  if (state === 'FullDisruption') return 'remove';
  return evictionsAllowed(state, nodeCount) ? 'add' : 'keep';
}
