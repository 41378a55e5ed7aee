import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from '../../api/kinds/index.js';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { startAgent, type Agent, type AgentOptions } from '../agent.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { removeCgroupTree, unmountUnder } from './host-state.js';

/**
 * An in-process API server plus a node agent on a given runtime, for agent tests. Pods are created
 * already bound (spec.nodeName set), so no scheduler is needed. `stop()` stops the agent and the
 * server and removes the data dir (unmounting tmpfs volumes first).
 */
export interface AgentHarness {
  server: TestServer;
  client: KubeClient;
  agent: Agent;
  nodeName: string;
  dataDir: string;
  /** Unique prefix for this harness's resource names. */
  prefix: string;
  createPod(name: string, spec: Partial<NonNullable<Pod['spec']>>, meta?: Partial<Pod['metadata']>): Promise<Pod>;
  getPod(name: string): Promise<Pod | undefined>;
  /** Polls `fn` on the pod until it returns truthy; fails with the last pod seen. */
  waitPod<T>(name: string, fn: (p: Pod) => T | undefined | false, timeoutMs?: number): Promise<T>;
  events(podName: string): Promise<Event[]>;
  /** Stops the agent only (pods stay), then starts a new one on the same runtime and data dir. */
  restartAgent(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAgentHarness(runtime: ContainerRuntime, opts: Partial<AgentOptions> = {}): Promise<AgentHarness> {
  const prefix = `bza${randomBytes(3).toString('hex')}`;
  const server = await startTestServer();
  const client = KubeClient.fromKubeconfig(server.kubeconfig);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `${prefix}-`));
  const nodeName = `${prefix}-node`;
  const agentOpts: AgentOptions = {
    client, nodeName, runtime, dataDir, relistMs: 200, resyncMs: 2000, leaseRenewMs: 1000, statusUpdateMs: 2000,
    cgroupRoot: `/${prefix}`, ...opts,
  };
  let agent = await startAgent(agentOpts);
  const h: AgentHarness = {
    server, client, agent, nodeName, dataDir, prefix,
    async createPod(name, spec, meta = {}) {
      return client.pods('default').create({
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta },
        spec: { nodeName, terminationGracePeriodSeconds: 2, containers: [], ...spec },
      });
    },
    async getPod(name) {
      try {
        return await client.pods<Pod>('default').get(name);
      } catch {
        return undefined;
      }
    },
    async waitPod(name, fn, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Pod | undefined;
      for (;;) {
        last = await h.getPod(name);
        const v = last ? fn(last) : undefined;
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting on pod ${name}; last: ${JSON.stringify(last?.status, null, 1)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async events(podName) {
      const list = await client.events<Event>('default').list();
      return list.items.filter((e) => e.involvedObject?.name === podName);
    },
    async restartAgent() {
      await agent.stop();
      agent = await startAgent(agentOpts);
      h.agent = agent;
    },
    async stop() {
      await agent.stop();
      client.close();
      await server.stop();
      unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      removeCgroupTree(agentOpts.cgroupRoot!);
    },
  };
  return h;
}
