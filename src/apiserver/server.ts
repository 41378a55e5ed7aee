/**
 * The API server assembled: the store, one storage per served resource, and the HTTPS front end with
 * the cluster PKI. `startApiServer` is what `bosun server` and the in-process test cluster run.
 */
import type { DefaultTolerationSeconds } from './admission/default-toleration-seconds.js';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Store } from '../store/index.js';
import { openStore } from '../store/index.js';
import { startDynamicAdmission } from './admission/dynamic/dynamic-admission.js';
import type { ActionSubresource, ResourceStorage } from './storage/types.js';
import { ensureNamespaces, ensureObjects } from './system-objects.js';
import { ApiCatalog } from './discovery/catalog.js';
import { buildOpenApi, type OpenApiDocs } from './openapi/documents.js';
import type { TokenAuthenticator, UserInfo } from './http/authn.js';
import { listen, type Listener } from './http/listener.js';
import { createRequestHandler, createUpgradeHandler } from './http/router.js';
import { StreamingRegistry } from './http/streaming.js';
import { MetricsCollector } from './metrics-api/collector.js';
import { createMetricsStorages } from './metrics-api/storage.js';
import { ComponentHealth } from './component-status/health.js';
import { createComponentStatusStorage } from './component-status/storage.js';
import { registerNodeProxy } from './node-proxy/register.js';
import { WatchRegistry } from './http/watch.js';
import { ensurePki, type Pki } from './pki/pki.js';
import { kubernetesServiceIP } from '../api/defaults.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/kinds/scheduling/priority-class.js';
import type { ServiceRanges } from './ipalloc/service-allocator.js';
import { serviceAllocatorFor } from './storage/strategies/service.js';
import { writeKubeconfig } from './pki/kubeconfig.js';
import { startCertRenewer, type CertRenewer } from './pki/cert-renewer.js';
import { ensurePrivateDir } from './pki/private-file.js';
import { createAuthorization, type AuthorizationMode } from './authz/authorizer.js';
import { reconcileBootstrapPolicy } from './authz/rbac/reconcile.js';
import { impersonate } from './http/impersonation.js';
import { withNodeRestriction } from './authz/node-restriction.js';
import { createJoinHandler } from './join/join-handler.js';
import { ensureJoinToken } from './join/join-token.js';
import { ensureFlowcontrolBootstrap } from './flowcontrol/ensurer.js';
import { ApfLimiter } from './flowcontrol/apf-limiter.js';
import { startFlowcontrolConfig } from './flowcontrol/config-source.js';
import { setFlowcontrolMetricsSource, setStorageObjectsSource, workEstimatedSeatsObserver } from './prometheus/flowcontrol-metrics.js';
import { ObjectCountTracker, startObjectCountPolling } from './flowcontrol/object-count-tracker.js';
import { WatchTracker } from './flowcontrol/watch-tracker.js';
import { WorkEstimator } from './flowcontrol/work-estimator.js';
import { apfDebugHandler } from './flowcontrol/debug-dump.js';
import { NodePasswords } from './join/node-passwords.js';
import { createReviewStorages } from './reviews/review-storage.js';
import { startCrdRegistrar, type CrdRegistrar } from './crd/crd-registrar.js';
import { withCsrApi } from './certificates/csr-api.js';
import { createServiceAccountTokens, type ServiceAccountTokens } from './serviceaccount/service-account-tokens.js';
import type { ServiceAccountKeyOptions } from './serviceaccount/key-set.js';
import type { EncryptionConfig } from './encryption/config.js';
import { withEncryption } from './encryption/encrypting-store.js';
import { Auditor, type AuditorOptions } from './audit/auditor.js';
import { collectProcessMetrics, metricsText } from './prometheus/apiserver-metrics.js';
import { instrumentRequests } from './prometheus/request-metrics.js';
import { withStoreMetrics } from './prometheus/store-metrics.js';
import type { InflightLimits } from './http/inflight.js';
import { createConsoleHandler } from './console/console-handler.js';
import { startAggregator } from './aggregator/aggregator.js';
import { startEventTtl, type TtlClock } from './storage/event-ttl.js';

export { SYSTEM_NAMESPACES, systemContext } from './system-objects.js';

export const BOSUN_VERSION = '0.1.0';

export interface ApiServerOptions {
  dataDir: string;
  /** 'sqlite' (DATA_DIR/state.db, the default) or 'memory'. Ignored when `store` is given. */
  storeBackend?: 'sqlite' | 'memory';
  /** An already open store (the server closes it on stop). */
  store?: Store;
  port?: number;
  bindAddress?: string;
  /** Extra names/IPs for the serving certificate. */
  extraSans?: string[];
  tokens?: TokenAuthenticator;
  /** --anonymous-auth (default true): requests without credentials are system:anonymous, for RBAC to decide; false: 401. */
  anonymousAuth?: boolean;
  /** 'RBAC' (the default: Node,RBAC as kube-apiserver's --authorization-mode) or 'AlwaysAllow' (the RBAC benchmark's baseline). */
  authorization?: AuthorizationMode;
  requestTimeoutMs?: number;
  /** What to serve; default: every kind in the registry with the generic storage (served-api.ts). */
  api?: (store: Store) => ServedApi | Promise<ServedApi>;
  /** DefaultTolerationSeconds admission (--default-not-ready/unreachable-toleration-seconds) on the default API; absent: off. */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
  /** Where unexpected errors go (default: stderr). */
  log?: (msg: string, err?: unknown) => void;
  /** ClusterIP and NodePort ranges (--service-cidr, --service-node-port-range); default 10.43.0.0/16, 30000-32767. */
  serviceRanges?: ServiceRanges;
  /** Joined nodes that may get the built-in Ingress controller's credential (`*`: all; default none). */
  agentIngressNodes?: string[];
  /** Encryption at rest (--encryption-provider-config, encryption/config.ts); absent: values stored as they are. */
  encryption?: EncryptionConfig;
  /** The audit log (--audit-policy-file, --audit-log-*); absent: no auditing. */
  audit?: AuditorOptions;
  /** Requests in flight and watches per client (http/inflight.ts, http/watch-limits.ts); default upstream's 400/200 and 1000. */
  limits?: { inflight?: InflightLimits; watchesPerClient?: number; objectCountPollPeriodMs?: number };
  /** The store's names in v1 ComponentStatus: etcd-N per etcd endpoint; default etcd-0 (component-status/health.ts). */
  storeComponentNames?: string[];
  /** --service-account-signing-key-file and --service-account-key-file (serviceaccount/key-set.ts); default: the data dir's keys. */
  serviceAccountKeys?: ServiceAccountKeyOptions;
  /** --event-ttl: Events are deleted this long after their last write (storage/event-ttl.ts); default 1 hour, 0: never. */
  eventTtlMs?: number;
  /** Time for the Event TTL (tests pass a FakeClock); default Node's timers. */
  eventTtlClock?: TtlClock;
}

export interface ServedApi {
  storages: ResourceStorage[];
  actions: ActionSubresource[];
  /** OpenAPI schemas of bodies that are not resources (Scale, Eviction, DeleteOptions...). */
  schemas?: Record<string, unknown>;
}

export interface ApiServer {
  /** https://127.0.0.1:PORT (or the bind address when it is not a wildcard). */
  url: string;
  port: number;
  dataDir: string;
  kubeconfigPath: string;
  /** The join token for `bosun agent --token` (also in DATA_DIR/token). */
  joinToken?: string;
  pki: Pki;
  store: Store;
  catalog: ApiCatalog;
  /** Register pods/log, pods/exec, ... handlers here. */
  streams: StreamingRegistry;
  /** The storage serving group/version/plural (for in-process components and tests). */
  storage(group: string, version: string, plural: string): ResourceStorage | undefined;
  /** The daily renewal of the serving and admin certificates (pki/cert-renewer.ts). */
  certificates: CertRenewer;
  /** Service account tokens: TokenRequest, the authenticator, the legacy token signer (serviceaccount/). */
  serviceAccountTokens: ServiceAccountTokens;
  /** The health checks v1 ComponentStatus answers from; the control plane registers its components'. */
  components: ComponentHealth;
  /** Watches being served right now (for tests and metrics). */
  openWatches(): number;
  /** The open watches and how slow ones were closed (for tests and metrics). */
  watches: WatchRegistry;
  /** Stops accepting, ends watches, closes connections and the store. Idempotent. */
  stop(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(`bosun: ${msg}`, err ?? ''));
  ensurePrivateDir(opts.dataDir);
  // kubernetes.default's ClusterIP (the range's first address) is one of the serving certificate's names.
  const serviceSans = opts.serviceRanges?.serviceCidr ? [kubernetesServiceIP(opts.serviceRanges.serviceCidr)] : [];
  const sans = [...(opts.extraSans ?? []), ...serviceSans];
  const pki = ensurePki(opts.dataDir, sans);
  collectProcessMetrics();
  // Timed below encryption: etcd_request_duration_seconds is the store's own latency.
  const store = withEncryption(withStoreMetrics(opts.store ?? openStore(opts.storeBackend === 'memory' ? { backend: 'memory' } : { backend: 'sqlite', path: join(opts.dataDir, 'state.db') })), opts.encryption);
  // The store's Service allocator takes the configured ranges before any storage binds to it.
  serviceAllocatorFor(store, opts.serviceRanges);
  let listener: Listener | undefined;
  try {
    const served = opts.api ? await opts.api(store) : (await import('./served-api.js')).createServedApi(store, { defaultTolerationSeconds: opts.defaultTolerationSeconds });
    return await serve(served);
  } catch (err) {
    await listener?.close(0);
    await store.close();
    throw err;
  }

  async function serve(served: ServedApi): Promise<ApiServer> {
    const authz = createAuthorization({
      pods: () => catalog.resolve('', 'v1', 'pods')?.storage,
      persistentVolumeClaims: () => catalog.resolve('', 'v1', 'persistentvolumeclaims')?.storage,
      rbac: (plural) => catalog.resolve('rbac.authorization.k8s.io', 'v1', plural)?.storage,
      mode: opts.authorization,
    });
    const streams = new StreamingRegistry();
    const agents = registerNodeProxy(streams, { pki, nodes: () => catalog.resolve('', 'v1', 'nodes')?.storage, core: (resource) => catalog.resolve('', 'v1', resource)?.storage });
    // metrics.k8s.io, as metrics-server serves it, gathered from the agents (metrics-api/collector.ts).
    const metrics = createMetricsStorages(new MetricsCollector({
      agents, nodes: () => catalog.resolve('', 'v1', 'nodes')?.storage, pods: () => catalog.resolve('', 'v1', 'pods')?.storage,
    }));
    const components = new ComponentHealth(store, opts.storeComponentNames);
    const saTokens = createServiceAccountTokens({ dataDir: opts.dataDir, keys: opts.serviceAccountKeys, storage: (plural) => catalog.resolve('', 'v1', plural)?.storage, otherTokens: opts.tokens, authorizeNonResource: authz.authorizeNonResource });
    // Webhooks and ValidatingAdmissionPolicies (admission/dynamic): innermost, so they see what authorization let through.
    const dynamicAdmission = await startDynamicAdmission(store, (apiVersion, kind) =>
      catalog.entries().find((e) => (e.def.group ? `${e.def.group}/${e.def.version}` : e.def.version) === apiVersion && e.def.kind === kind)?.def);
    const csrApi = withCsrApi(served.storages.map(dynamicAdmission.wrap).map(withNodeRestriction).map(authz.wrapStorage), authz.decide);
    const catalog = new ApiCatalog([...csrApi.storages, ...createReviewStorages(authz), saTokens.tokenReview, ...metrics, createComponentStatusStorage(components)], [...served.actions, ...csrApi.actions].map(dynamicAdmission.wrapAction).concat(saTokens.tokenRequest));
    const joinToken = ensureJoinToken(opts.dataDir, pki.ca.cert);
    const watches = new WatchRegistry(undefined, (what) => log(`Forcing watcher close due to unresponsiveness: ${what}`));
    let ownDocs: OpenApiDocs | undefined;
    let docs: OpenApiDocs | undefined;
    // Custom resources come and go at run time: the next OpenAPI request rebuilds the documents.
    catalog.onChange(() => { ownDocs = docs = undefined; });
    let stopping = false;
    await ensureNamespaces(catalog.resolve('', 'v1', 'namespaces')?.storage);
    await ensureObjects(catalog.resolve('scheduling.k8s.io', 'v1', 'priorityclasses')?.storage, SYSTEM_PRIORITY_CLASSES);
    // API Priority and Fairness' bootstrap FlowSchemas and priority levels (flowcontrol/ensurer.ts).
    const apf = (plural: string) => catalog.resolve('flowcontrol.apiserver.k8s.io', 'v1', plural)?.storage;
    if (apf('prioritylevelconfigurations') && apf('flowschemas')) await ensureFlowcontrolBootstrap(apf('prioritylevelconfigurations')!, apf('flowschemas')!);
    // RBAC's policy is loaded, and the bootstrap policy reconciled, before the first request.
    await authz.start();
    const rbacStorage = (plural: string) => catalog.resolve('rbac.authorization.k8s.io', 'v1', plural)?.storage;
    if (rbacStorage('clusterroles') && rbacStorage('clusterrolebindings')) await reconcileBootstrapPolicy(rbacStorage('clusterroles')!, rbacStorage('clusterrolebindings')!);
    // Custom resources of every stored CRD are served before the server answers its first request.
    const crdStorage = catalog.resolve('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')?.storage;
    const crds: CrdRegistrar | undefined = crdStorage && startCrdRegistrar({ catalog, store, crds: crdStorage, log, wrap: dynamicAdmission.wrap });
    await crds?.ready;
    // kube-aggregator: Local APIServices for all of the above, remote ones proxied (aggregator/).
    const eventTtl = catalog.resolve('', 'v1', 'events') ? startEventTtl(store, { ttlMs: opts.eventTtlMs, clock: opts.eventTtlClock, onError: (err) => log('event TTL watch failed:', err) }) : undefined;
    await eventTtl?.ready;
    const aggregator = catalog.resolve('apiregistration.k8s.io', 'v1', 'apiservices') ? await startAggregator({ catalog, pki, log }) : undefined;
    // Extensions' OpenAPI merged over the server's own documents (built once per catalog).
    aggregator?.openapi.onChange(() => { docs = undefined; });
    const auditor = opts.audit ? new Auditor(opts.audit) : undefined;
    // API Priority and Fairness, fed from the store (flowcontrol/), unless --enable-priority-and-fairness=false
    // (the max-in-flight pools then): --max-requests-inflight + --max-mutating-requests-inflight is its server limit.
    const inflightLimits = opts.limits?.inflight;
    // Request width: lists by the stored object counts (polled: objectCountPollPeriodMs, upstream's 1 minute), writes by their watchers.
    const objectCounts = new ObjectCountTracker();
    const watchTracker = new WatchTracker();
    const apfLimiter = inflightLimits?.priorityAndFairness !== false && apf('flowschemas')
      ? new ApfLimiter((inflightLimits?.readOnly ?? 400) + (inflightLimits?.mutating ?? 200), undefined, { estimator: new WorkEstimator(objectCounts, watchTracker), watches: watchTracker, observeEstimate: workEstimatedSeatsObserver })
      : undefined;
    const apfConfig = apfLimiter && startFlowcontrolConfig(store, apfLimiter, apf('flowschemas')!);
    await apfConfig?.ready;
    const objectCounting = apfLimiter && startObjectCountPolling(store, () => catalog.entries().map((e) => e.def), objectCounts, opts.limits?.objectCountPollPeriodMs);
    if (apfLimiter) {
      setFlowcontrolMetricsSource(() => apfLimiter.series());
      setStorageObjectsSource(() => objectCounts.entries());
    }
    const routerOpts = {
      apf: apfLimiter,
      apfDebug: apfLimiter && apfDebugHandler(() => apfLimiter.dump()),
      audit: auditor,
      inflight: opts.limits?.inflight,
      watchesPerClient: opts.limits?.watchesPerClient,
      catalog, streams, watches,
      tokens: saTokens.authenticate,
      anonymous: opts.anonymousAuth,
      authorize: authz.authorize,
      authorizeNonResource: authz.authorizeNonResource,
      aggregate: aggregator?.proxy,
      aggregateUpgrade: aggregator?.proxyUpgrade,
      remoteDiscovery: aggregator?.discovery,
      impersonate: (req: IncomingMessage, user: UserInfo) => impersonate(req, user, authz.decide),
      extraHandlers: [saTokens.discovery, createJoinHandler({
        pki, secret: joinToken.secret, passwords: new NodePasswords(opts.dataDir), nodes: () => catalog.resolve('', 'v1', 'nodes')?.storage,
        ingressNodes: opts.agentIngressNodes,
      }), createConsoleHandler()],
      requestTimeoutMs: opts.requestTimeoutMs,
      bosunVersion: BOSUN_VERSION,
      openapi: () => (docs ??= ((own) => aggregator?.openapi.merge(own) ?? own)(ownDocs ??= buildOpenApi(catalog, served.schemas))),
      hostPort: (req: IncomingMessage) => req.headers.host ?? `127.0.0.1:${listener?.port ?? 0}`,
      ready: () => !stopping,
      metrics: metricsText,
      onInternalError: (err: unknown, req: IncomingMessage) => log(`internal error serving ${req.method} ${req.url}:`, err),
    };
    const host = opts.bindAddress ?? '0.0.0.0';
    listener = await listen({
      cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert,
      onRequest: instrumentRequests(createRequestHandler(routerOpts)),
      onUpgrade: createUpgradeHandler(routerOpts),
    }, opts.port ?? 6443, host);
    const l = listener;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const url = `https://${urlHost}:${l.port}`;
    const kubeconfigPath = join(opts.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfigPath, { server: url, caCert: pki.ca.cert, client: pki.admin });
    const certificates = startCertRenewer({ dataDir: opts.dataDir, extraSans: sans, pki, server: l.server, kubeconfig: { path: kubeconfigPath, server: url } });
    await (await import('./ipalloc/kubernetes-service.js')).ensureKubernetesService({ storage: (g, v, p) => catalog.resolve(g, v, p)?.storage, store, bindAddress: host, port: l.port });
    let stopped: Promise<void> | undefined;
    return {
      url, port: l.port, dataDir: opts.dataDir, kubeconfigPath, joinToken: joinToken.token, pki, store, catalog, streams, certificates,
      serviceAccountTokens: saTokens, components,
      storage: (g, v, p) => catalog.resolve(g, v, p)?.storage,
      openWatches: () => watches.size, watches,
      stop: () =>
        (stopped ??= (async () => {
          stopping = true;
          crds?.stop();
          eventTtl?.stop();
          apfConfig?.stop();
          objectCounting?.stop();
          aggregator?.stop();
          dynamicAdmission.stop();
          certificates.stop();
          watches.endAll();
          saTokens.stop();
          authz.stop();
          await l.close();
          auditor?.close();
          await store.close();
        })()),
    };
  }
}
