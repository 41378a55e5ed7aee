/**
 * A whole control plane for conformance files whose upstream tests need nodes, controllers and the
 * scheduler (sig-scheduling predicates, sig-storage claims, sig-cli kubectl): `bosun server`'s
 * startControlPlane in this process (every built-in controller, the scheduler, the default
 * StorageClass) with simulated nodes (pods are objects the fleet reports Running, no containers),
 * an admin client and the 1.32 kubectl with its own cache dir. One per test file: `simClusterForFile`
 * registers the before/after hooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { KubeClient } from '../../client/kube-client.js';
import { startControlPlane, type ControlPlane } from '../../cluster/control-plane.js';
import type { SimulatedNodesOptions } from '../../simulated-nodes/index.js';
import { runKubectl, type KubectlOptions, type KubectlResult } from '../../testing/test-cluster.js';

export interface SimCluster {
  cp: ControlPlane;
  client: KubeClient;
  /** Path of the admin kubeconfig. */
  kubeconfig: string;
  /** The cluster's own kubectl --cache-dir (for a kubectl the test spawns itself, e.g. `kubectl proxy`). */
  cacheDir: string;
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** The simulated nodes' names, in order. */
  nodes: string[];
  stop(): Promise<void>;
}

export interface SimClusterOptions {
  /** Created once the cluster runs. */
  namespace?: string;
  /** Default: 2 nodes prefixed by the namespace (or `cf-sim-`), reported Running after 10 ms. */
  nodes?: Partial<SimulatedNodesOptions>;
}

export async function startSimCluster(o: SimClusterOptions = {}): Promise<SimCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-cf-sim-'));
  const cacheDir = join(dir, 'kubectl-cache');
  const prefix = o.nodes?.prefix ?? `${o.namespace ?? 'cf-sim'}-node-`;
  const count = o.nodes?.count ?? 2;
  let cp: ControlPlane | undefined;
  const stop = async (): Promise<void> => {
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    cp = await startControlPlane({
      dataDir: join(dir, 'data'), port: 0, bindAddress: '127.0.0.1', store: 'memory',
      simulatedNodes: { readyDelayMs: 10, ...o.nodes, prefix, count },
    });
    if (o.namespace) await cp.client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } });
  } catch (err) {
    await stop();
    throw err;
  }
  const kubeconfig = cp.api.kubeconfigPath;
  const first = o.nodes?.firstIndex ?? 1;
  const nodes = Array.from({ length: count }, (_, i) => `${prefix}${String(first + i).padStart(4, '0')}`);
  return { cp, client: cp.client, kubeconfig, cacheDir, nodes, kubectl: (args, ko) => runKubectl(kubeconfig, cacheDir, args, ko), stop };
}

/** One cluster for the whole test file; the returned object is usable from the tests once `before` ran. */
export function simClusterForFile(o: SimClusterOptions = {}): SimCluster {
  let env: SimCluster | undefined;
  before(async () => {
    env = await startSimCluster(o);
  });
  after(() => env?.stop());
  const live = (): SimCluster => {
    if (!env) throw new Error('the file cluster is used before its before() hook ran');
    return env;
  };
  return {
    get cp() { return live().cp; },
    get client() { return live().client; },
    get kubeconfig() { return live().kubeconfig; },
    get cacheDir() { return live().cacheDir; },
    get nodes() { return live().nodes; },
    kubectl: (args, ko) => live().kubectl(args, ko),
    stop: () => live().stop(),
  };
}
