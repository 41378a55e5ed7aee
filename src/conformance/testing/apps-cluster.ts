/**
 * The [sig-apps] conformance files' cluster: sim-cluster.ts's control plane with simulated nodes
 * (every built-in controller and the scheduler; the nodes report bound pods Running and Ready), plus
 * a fresh namespace per test as the e2e framework gives each one, and e2epod's waits for pods.
 */
import type { Pod } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { SimulatedNodesOptions } from '../../simulated-nodes/index.js';
import { eventually } from '../../testing/eventually.js';
import { simClusterForFile, type SimCluster } from './sim-cluster.js';

export interface AppsCluster extends SimCluster {
  /** A fresh namespace named `<prefix>-<n>`. */
  namespace(): Promise<string>;
}

// The control plane shares this process: its retried-conflict warnings would drown the report.
process.env.BOSUN_LOG_LEVEL ??= 'error';

/** One cluster per test file (hooks registered here); `nodes` as simulated-nodes' options. */
export function appsClusterForFile(prefix: string, nodes: Partial<SimulatedNodesOptions> = {}): AppsCluster {
  const sim = simClusterForFile({ nodes: { prefix: `${prefix}-node-`, heartbeatMs: 2000, ...nodes } });
  let n = 0;
  return Object.assign(Object.create(sim) as SimCluster, {
    async namespace() {
      const name = `${prefix}-${++n}`;
      await sim.client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
  });
}

/** Whether the pod is Running, Ready and not terminating (e2epod's podRunningAndReady). */
export function podRunningReady(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pods of `ns` matching `labelSelector` that are not terminating. */
export async function livePods(client: KubeClient, ns: string, labelSelector: string): Promise<Pod[]> {
  return (await client.pods<Pod>(ns).list({ labelSelector })).items.filter((p) => !p.metadata.deletionTimestamp);
}

/** e2epod.VerifyPodsRunning: `n` live pods with the label name=`name`, all Running and Ready. */
export function waitPodsRunning(client: KubeClient, ns: string, name: string, n: number, timeoutMs = 30_000): Promise<Pod[]> {
  return eventually(async () => {
    const ps = await livePods(client, ns, `name=${name}`);
    return ps.length === n && ps.every(podRunningReady) && ps;
  }, `${n} running pods name=${name} in ${ns}`, { timeoutMs, intervalMs: 50 });
}
