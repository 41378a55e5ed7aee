/**
 * Bosun's built-in Ingress controller, one per node that opts in (`--ingress-http-port`,
 * `--ingress-https-port`): informers on Ingresses, IngressClasses, Services, EndpointSlices and
 * kubernetes.io/tls Secrets (the API only; as the service proxy and DNS), a routing table rebuilt on
 * every Ingress, class or Secret change (routes.ts, tls-contexts.ts), and reverse proxies listening
 * on the node's ports (reverse-proxy.ts) that send each request straight to a ready endpoint
 * (backends.ts). Handled Ingresses get the node's IP in status.loadBalancer.ingress
 * (ingress-status.ts). TLS hosts are redirected from http to https (routes.ts); a name without a
 * certificate gets the default one (tls-contexts.ts). Its client is its own identity (kube-system/bosun-ingress; see
 * docs/networking.md), never the node's: reading every TLS Secret is more than a node may.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Secret } from '../api/kinds/core/secret.js';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { IngressClass } from '../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { Backends } from './backends.js';
import { ensureIngressClass, isHandled } from './ingress-class.js';
import { IngressStatus } from './ingress-status.js';
import { ReverseProxy, type Router } from './reverse-proxy.js';
import { hostOnly, RouteTable } from './routes.js';
import { TlsContexts } from './tls-contexts.js';

const BY_SERVICE = 'ingress-service';
const STOP_GRACE_MS = 2_000;

export interface IngressControllerOptions {
  client: KubeClient;
  /** This node's IP, published in the Ingresses' status. */
  nodeIP: string;
  /** Port of plain HTTP (0: pick one; undefined: none). */
  httpPort?: number;
  /** Port of HTTPS with the Ingresses' certificates by SNI (0: pick one; undefined: none). */
  httpsPort?: number;
  /** Address to listen on (default all: the node's every address, as a host-network controller). */
  host?: string;
  /**
   * "namespace/name" of the kubernetes.io/tls Secret served to names without a certificate of their
   * own (ingress-nginx's --default-ssl-certificate); default (or while it is missing) a self-signed one.
   */
  defaultCertificate?: string;
  logger?: Logger;
}

export interface IngressController {
  httpPort?: number;
  httpsPort?: number;
  stop(): Promise<void>;
}

export async function startIngressController(o: IngressControllerOptions): Promise<IngressController> {
  const log = (o.logger ?? defaultLogger()).child({ component: 'ingress' });
  await ensureIngressClass(o.client);
  const informers = new SharedInformerFactory(o.client, { logger: o.logger });
  const ingresses = informers.informerFor<Ingress>(resources.ingresses);
  const classes = informers.informerFor<IngressClass>(resources.ingressclasses);
  const services = informers.informerFor<Service>(resources.services);
  const slices = informers.informerFor<EndpointSlice>(resources.endpointslices);
  const secrets = informers.informerFor<Secret>(resources.secrets, { fieldSelector: 'type=kubernetes.io/tls' });
  slices.addIndexers({
    [BY_SERVICE]: (s) => {
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    },
  });
  const backends = new Backends({
    service: (ns, name) => services.indexer.get(`${ns}/${name}`),
    endpointSlices: (ns, name) => slices.indexer.byIndex(BY_SERVICE, `${ns}/${name}`),
  });
  const tls = new TlsContexts(log, o.defaultCertificate);
  const status = new IngressStatus(o.client, o.nodeIP, log);
  let table = new RouteTable([]);
  let synced = false;
  /** Hands a changed default certificate to the https server (set once it exists). */
  let onDefaultChange = (): void => {};

  const handledIngresses = (): Readonly<Ingress>[] => {
    const cls = classes.indexer.list();
    return ingresses.indexer.list().filter((i) => isHandled(i, cls));
  };
  const rebuild = (): void => {
    if (!synced) return;
    const cls = classes.indexer.list();
    const all = ingresses.indexer.list();
    const mine = all.filter((i) => isHandled(i, cls));
    table = new RouteTable(mine);
    tls.rebuild([...mine].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')), (ns, name) => secrets.indexer.get(`${ns}/${name}`));
    onDefaultChange();
    for (const i of all) void status.sync(i, mine.includes(i));
  };
  for (const inf of [ingresses, classes, secrets] as const) {
    (inf as typeof ingresses).addEventHandler({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
  }
  let httpsPort: number | undefined;
  const routeFor = (proto: 'http' | 'https'): Router => (host, url) => {
    const target = table.match(host, url);
    if (!target) return { ok: false, status: 404, message: '404 page not found' };
    const name = hostOnly(host ?? '');
    if (proto === 'http' && name !== '' && table.redirectsToHttps(target, host, url)) {
      // ingress-nginx's 308 to https://$host$request_uri, with the https port when it is not 443.
      const port = httpsPort === undefined || httpsPort === 443 ? '' : `:${httpsPort}`;
      return { ok: false, status: 308, message: 'Permanent Redirect', location: `https://${name.includes(':') ? `[${name}]` : name}${port}${url}` };
    }
    if (target.kind === 'unsupported') return { ok: false, status: 503, message: target.reason };
    return backends.pick(target.ref);
  };

  const servers: Server[] = [];
  const proxies: ReverseProxy[] = [];
  const stopAll = async (): Promise<void> => {
    // New connections are refused at once; requests in flight get STOP_GRACE_MS to finish.
    const closed = servers.splice(0).map((s) => new Promise<void>((r) => {
      s.close(() => r());
      s.closeIdleConnections();
      setTimeout(() => s.closeAllConnections(), STOP_GRACE_MS).unref();
    }));
    for (const p of proxies.splice(0)) p.close();
    await Promise.all(closed);
    await informers.stop();
  };
  const listen = async (server: Server, proto: 'http' | 'https', port: number): Promise<number> => {
    const proxy = new ReverseProxy({ route: routeFor(proto), proto, port: () => (server.address() as AddressInfo | null)?.port ?? port, log });
    proxies.push(proxy);
    server.on('request', proxy.onRequest);
    server.on('upgrade', proxy.onUpgrade);
    server.on('clientError', (_err, socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, o.host, () => { server.off('error', reject); resolve(); });
    });
    return (server.address() as AddressInfo).port;
  };

  informers.start();
  try {
    if (!(await informers.waitForCacheSync())) throw new Error('ingress informers stopped before syncing');
    synced = true;
    rebuild();
    if (o.httpsPort !== undefined) {
      // The server's own certificate is the default one, for clients that send no SNI.
      let served = tls.defaultPem;
      const server = createHttpsServer({ ...served, SNICallback: (name, cb) => cb(null, tls.forServerName(name)) });
      onDefaultChange = () => {
        if (tls.defaultPem === served) return;
        served = tls.defaultPem;
        server.setSecureContext(served);
      };
      onDefaultChange();
      httpsPort = await listen(server, 'https', o.httpsPort);
    }
    const httpPort = o.httpPort === undefined ? undefined : await listen(createHttpServer(), 'http', o.httpPort);
    log.info({ httpPort, httpsPort }, 'ingress controller listening');
    return {
      httpPort, httpsPort,
      async stop() {
        const mine = handledIngresses();
        synced = false;
        await stopAll();
        // Best effort, after the ports closed: this node no longer serves them.
        await Promise.all(mine.map((i) => status.withdraw(i)));
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
