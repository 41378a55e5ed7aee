/**
 * The setup most controller and client tests share: an in-process API server, a client on its
 * admin kubeconfig, optionally a namespace, and (for controllers) a started Manager with a quiet
 * logger. `stop()` tears down in reverse: manager, what `prepare` asked to clean up, client, server.
 * A setup that fails part way stops what it had started before rethrowing.
 */
import { KubeClient } from '../client/kube-client.js';
import { Manager, type ManagerOptions } from '../controller-runtime/manager.js';
import { quietLogger } from './quiet-logger.js';
import { startTestServer, type TestServerOptions } from './test-cluster.js';

export type StartedTestServer = Awaited<ReturnType<typeof startTestServer>>;

export interface ClientEnvOptions {
  /** Created right after the client. */
  namespace?: string;
  server?: TestServerOptions;
}

export interface ClientEnv {
  ts: StartedTestServer;
  client: KubeClient;
  /** Closes the client, then stops the server. */
  stop(): Promise<void>;
}

/** An API server and a client for it (and `namespace`, if given). */
export async function startClientEnv(o: ClientEnvOptions = {}): Promise<ClientEnv> {
  const ts = await startTestServer(o.server);
  const client = KubeClient.fromKubeconfig(ts.kubeconfig);
  const stop = async (): Promise<void> => {
    client.close();
    await ts.stop();
  };
  try {
    if (o.namespace) await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } });
  } catch (err) {
    await stop();
    throw err;
  }
  return { ts, client, stop };
}

export interface ControllerEnvOptions extends ClientEnvOptions {
  /**
   * Runs after the namespace exists and before the manager is built: objects or processes that must
   * predate the controllers. A returned function runs on stop, after the manager has stopped.
   */
  prepare?: (client: KubeClient) => Promise<(() => Promise<void>) | void>;
  /** Registers the controllers under test. */
  add?: (mgr: Manager) => unknown;
  /** The manager uses the env's client instead of opening its own from the kubeconfig. */
  shareClient?: boolean;
  /** Merged over `{ kubeconfig | client, logger: quietLogger }`. */
  managerOptions?: ManagerOptions;
}

export interface ControllerEnv extends ClientEnv {
  mgr: Manager;
}

/** `startClientEnv`, then a Manager with the controllers `add` registers, started (caches synced). */
export async function startControllerEnv(o: ControllerEnvOptions = {}): Promise<ControllerEnv> {
  const base = await startClientEnv(o);
  const { ts, client } = base;
  let cleanup: (() => Promise<void>) | void = undefined;
  let mgr: Manager | undefined;
  const stop = async (): Promise<void> => {
    await mgr?.stop();
    if (cleanup) await cleanup();
    await base.stop();
  };
  try {
    if (o.prepare) cleanup = await o.prepare(client);
    mgr = new Manager({ ...(o.shareClient ? { client } : { kubeconfig: ts.kubeconfig }), logger: quietLogger, ...o.managerOptions });
    o.add?.(mgr);
    await mgr.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { ts, client, mgr, stop };
}
