/**
 * The service health server of kube-proxy (pkg/proxy/healthcheck/service_health.go): for every
 * LoadBalancer Service with externalTrafficPolicy Local, an HTTP server on its healthCheckNodePort
 * that tells the cloud load balancer whether to send traffic to this node. Any path answers
 * 200 while the node has a ready local endpoint and the proxy is healthy, else 503, with
 * `{"service":{"namespace","name"},"localEndpoints":N,"serviceProxyHealthy":B}` (tab-indented,
 * as upstream's dedented template). A port that cannot be opened (taken) is logged once and tried
 * again at every sync, as upstream's SyncServices; a changed port closes the old server first.
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from '../controller-runtime/log.js';

/** One Service to serve: `namespace/name` -> its health check port and ready local endpoint count. */
export interface HealthCheck {
  port: number;
  localEndpoints: number;
}

interface Instance {
  port: number;
  localEndpoints: number;
  servers: Server[];
}

export interface ServiceHealthServer {
  /** Open, keep or close servers so exactly `checks` are served, with their new counts. */
  sync(checks: ReadonlyMap<string, HealthCheck>): Promise<void>;
  /** The proxy's own health (upstream serviceProxyHealthy): false while its rules are not in place. */
  setProxyHealthy(ok: boolean): void;
  close(): Promise<void>;
}

const closeServer = (s: Server): Promise<void> => new Promise((resolve) => {
  s.close(() => resolve());
  s.closeAllConnections();
});

function listen(host: string, port: number, handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** `addresses`: where every health check port listens (upstream: the NodePort addresses, default all). */
export function serviceHealthServer(addresses: readonly string[], log: Logger): ServiceHealthServer {
  const instances = new Map<string, Instance>();
  const failed = new Set<string>();
  let proxyHealthy = true;

  const open = async (key: string, port: number): Promise<Instance | undefined> => {
    const [namespace, name] = key.split('/') as [string, string];
    const inst: Instance = { port, localEndpoints: 0, servers: [] };
    const handler: Parameters<typeof createServer>[1] = (_req, res) => {
      const body = { service: { namespace, name }, localEndpoints: inst.localEndpoints, serviceProxyHealthy: proxyHealthy };
      res.writeHead(inst.localEndpoints !== 0 && proxyHealthy ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(JSON.stringify(body, null, '\t'));
    };
    try {
      for (const host of addresses) inst.servers.push(await listen(host, port, handler));
    } catch (err) {
      await Promise.all(inst.servers.map(closeServer));
      const why = `${key} ${port} ${String(err)}`;
      if (!failed.has(why)) log.error({ service: key, port, err: String(err) }, 'failed to start service health check');
      failed.add(why);
      return undefined;
    }
    return inst;
  };

  return {
    async sync(checks) {
      for (const [key, inst] of instances) {
        if (checks.get(key)?.port === inst.port) continue;
        instances.delete(key);
        await Promise.all(inst.servers.map(closeServer));
      }
      for (const [key, hc] of checks) {
        let inst = instances.get(key);
        if (!inst) {
          inst = await open(key, hc.port);
          if (!inst) continue;
          instances.set(key, inst);
        }
        inst.localEndpoints = hc.localEndpoints;
      }
    },
    setProxyHealthy(ok) {
      proxyHealthy = ok;
    },
    async close() {
      const all = [...instances.values()];
      instances.clear();
      await Promise.all(all.flatMap((i) => i.servers.map(closeServer)));
    },
  };
}
