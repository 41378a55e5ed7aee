/**
 * Harness of the workloads e2e tests: a whole control plane (API server, controllers, scheduler)
 * with a fleet of simulated nodes, in this process on 127.0.0.1 port 0, driven by the real kubectl
 * (pinned 1.32, fresh cache dir) and by the REST client. Everything here is asynchronous: the server
 * runs on this event loop, so a synchronous child process would freeze it.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/api/kinds/index.js';
import type { WatchEvent } from '../../src/api/meta.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/cluster/control-plane.js';
import { KubeClient } from '../../src/client/index.js';
import { runKubectl, type KubectlOptions, type KubectlResult } from '../../src/testing/test-cluster.js';
import { quietLogger } from '../../src/testing/quiet-logger.js';

export interface SimClusterOptions {
  nodes?: number;
  cpu?: string;
  memory?: string;
  pods?: number;
  readyDelayMs?: number;
  heartbeatMs?: number;
  nodeLifecycle?: NonNullable<ControlPlaneOptions['controllers']>['nodeLifecycle'];
  /** HPA controller options (a short sync period for tests). */
  hpa?: NonNullable<ControlPlaneOptions['controllers']>['horizontalPodAutoscaler'];
}

export interface SimCluster {
  cp: ControlPlane;
  /** A client of its own (not the control plane's). */
  client: KubeClient;
  kubeconfig: string;
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** kubectl that must exit 0; resolves to its stdout. */
  ok(args: string[], o?: KubectlOptions): Promise<string>;
  stop(): Promise<void>;
}

// The control plane shares this process: its warnings (e.g. update conflicts it retries) would
// drown the test report. BOSUN_LOG_LEVEL=warn brings them back.
process.env.BOSUN_LOG_LEVEL ??= 'error';

/** Starts a control plane with `nodes` simulated nodes (default 3 of 2 CPUs) and waits until they are Ready. */
export async function startSimCluster(o: SimClusterOptions = {}): Promise<SimCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-wl-'));
  const kubectlHome = mkdtempSync(join(tmpdir(), 'bosun-e2e-wl-kubectl-'));
  const cacheDir = join(kubectlHome, 'cache');
  const cp = await startControlPlane({
    dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory',
    simulatedNodes: {
      count: o.nodes ?? 3, cpu: o.cpu ?? '2', memory: o.memory ?? '8Gi', pods: o.pods ?? 110,
      readyDelayMs: o.readyDelayMs ?? 200, heartbeatMs: o.heartbeatMs ?? 1000, logger: quietLogger,
    },
    controllers: { nodeLifecycle: o.nodeLifecycle, horizontalPodAutoscaler: o.hpa },
  });
  const client = KubeClient.fromKubeconfig(cp.api.kubeconfigPath);
  const kubeconfig = cp.api.kubeconfigPath;
  const kubectl = (args: string[], ko?: KubectlOptions) => runKubectl(kubeconfig, cacheDir, args, ko);
  const cluster: SimCluster = {
    cp, client, kubeconfig, kubectl,
    async ok(args, ko) {
      const r = await kubectl(args, ko);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async stop() {
      client.close();
      await cp.stop();
      rmSync(kubectlHome, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await waitFor('simulated nodes Ready', async () => (await readyNodes(client)).length === (o.nodes ?? 3));
  return cluster;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy; fails with `what` and the last value after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}

/** Names of the nodes whose Ready condition is True. */
export async function readyNodes(client: KubeClient): Promise<string[]> {
  const list = await client.nodes<{ metadata: { name?: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>().list();
  return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name!);
}

/** Whether the pod is Running, Ready and not terminating. */
export function podReady(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Live (not terminating) pods matching a selector. */
export async function livePods(client: KubeClient, ns: string, labelSelector: string): Promise<Pod[]> {
  const list = await client.pods<Pod>(ns).list({ labelSelector });
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Waits for exactly `n` live pods matching the selector, all Running and Ready; returns them. */
export async function waitReadyPods(client: KubeClient, ns: string, labelSelector: string, n: number, timeoutMs = 30_000): Promise<Pod[]> {
  return waitFor(`${n} ready pods ${labelSelector} in ${ns}`, async () => {
    const pods = await livePods(client, ns, labelSelector);
    return pods.length === n && pods.every(podReady) ? pods : false;
  }, timeoutMs);
}

/**
 * Follows pods matching a selector through a watch and hands the live set to `check` after every
 * event. `stop()` ends the watch and resolves to the number of events seen.
 */
export async function watchPods(client: KubeClient, ns: string, labelSelector: string, check: (pods: ReadonlyMap<string, Pod>) => void): Promise<{ stop(): Promise<number> }> {
  const list = await client.pods<Pod>(ns).list({ labelSelector });
  const pods = new Map<string, Pod>(list.items.map((p) => [p.metadata.name!, p]));
  check(pods);
  const w = await client.pods<Pod>(ns).watch({ labelSelector, resourceVersion: list.metadata.resourceVersion });
  let events = 0;
  const done = (async () => {
    for await (const ev of w as AsyncIterable<WatchEvent<Pod>>) {
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
      events++;
      if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
      else pods.set(ev.object.metadata.name!, ev.object);
      check(pods);
    }
  })();
  return {
    async stop() {
      w.stop();
      await done;
      return events;
    },
  };
}
