/**
 * kube-aggregator inside Bosun's API server: the front proxy's PKI and the
 * extension-apiserver-authentication ConfigMap, Local APIServices kept in step with what the catalog
 * serves (custom resources included), the availability controller, the proxy for remote
 * APIServices and their part of discovery. server.ts starts it once the built-in and custom
 * resources are served; the router calls `proxy` after authentication and authorization.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiCatalog } from '../discovery/catalog.js';
import type { UserInfo } from '../http/authn.js';
import { RENEWAL_CHECK_MS } from '../pki/cert-renewer.js';
import type { Pki } from '../pki/pki.js';
import type { RequestContext } from '../storage/types.js';
import { authenticationConfigMapData, ensureAuthenticationConfigMap } from './authentication-configmap.js';
import { AvailabilityController } from './availability-controller.js';
import { ensureFrontProxyPki, type FrontProxyPki } from './front-proxy-pki.js';
import { syncLocalApiServices } from './local-api-services.js';
import { proxyToApiService } from './proxy.js';
import { proxyUpgradeToApiService } from './upgrade-proxy.js';
import { RemoteDiscovery } from './remote-discovery.js';
import { RemoteOpenApi } from './remote-openapi.js';
import { RemoteAgents } from './remote-transport.js';

const CTX = (): RequestContext => ({ user: 'system:kube-aggregator', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', fieldManager: 'kube-aggregator', warnings: [] });

export interface Aggregator {
  frontProxy: FrontProxyPki;
  /** Serves the request when a remote APIService owns its path (true), else leaves it to this server (false). */
  proxy(req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo): false | Promise<boolean>;
  /** The same for an upgrade request (upgrade-proxy.ts): true once a remote APIService's server has the socket. */
  proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: UserInfo): false | Promise<boolean>;
  discovery: RemoteDiscovery;
  /** Extensions' OpenAPI, merged into the server's documents (remote-openapi.ts). */
  openapi: RemoteOpenApi;
  availability: AvailabilityController;
  stop(): void;
}

export async function startAggregator(o: { catalog: ApiCatalog; pki: Pki; log: (msg: string, err?: unknown) => void; intervalMs?: number }): Promise<Aggregator> {
  const { catalog, log } = o;
  const storage = (g: string, v: string, p: string) => catalog.resolve(g, v, p)?.storage;
  const apiServices = storage('apiregistration.k8s.io', 'v1', 'apiservices')!;
  const frontProxy = ensureFrontProxyPki(o.pki.dir);
  const configMaps = storage('', 'v1', 'configmaps');
  if (configMaps) await ensureAuthenticationConfigMap(configMaps, CTX(), authenticationConfigMapData(o.pki.ca.cert, frontProxy.ca.cert));

  let syncing = Promise.resolve();
  const syncLocal = (): void => {
    syncing = syncing.then(() => syncLocalApiServices(apiServices, CTX(), catalog.groupVersions())).catch((err: unknown) => log('local apiservices:', err));
  };
  syncLocal();
  await syncing;
  const offChange = catalog.onChange(syncLocal);

  // The proxy's client certificate is renewed as the server's own (pki/cert-renewer.ts): checked daily, reissued within 90 days of expiry.
  const renewal = setInterval(() => {
    try {
      frontProxy.client = ensureFrontProxyPki(o.pki.dir).client;
    } catch (err) {
      log('front proxy certificate renewal failed (retried tomorrow):', err);
    }
  }, RENEWAL_CHECK_MS);
  renewal.unref();
  const agents = new RemoteAgents(() => frontProxy.client);
  const services = { services: () => storage('', 'v1', 'services'), endpointSlices: () => storage('discovery.k8s.io', 'v1', 'endpointslices') };
  const openapi = new RemoteOpenApi({ ...services, agents, log });
  const availability = new AvailabilityController({ ...services, apiServices, agents, log, intervalMs: o.intervalMs, onChecked: (name, a, ok) => openapi.observe(name, a, ok) });
  await availability.start();
  return {
    frontProxy,
    proxy: (req, res, url, user) => proxyToApiService({ ...services, availability, agents }, req, res, url, user),
    proxyUpgrade: (req, socket, head, url, user) => proxyUpgradeToApiService({ ...services, availability, agents }, req, socket, head, url, user),
    discovery: new RemoteDiscovery(availability),
    openapi,
    availability,
    stop() {
      offChange();
      clearInterval(renewal);
      availability.stop();
      agents.close();
    },
  };
}
