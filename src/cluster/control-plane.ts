/**
 * The control plane of `bosun server`, assembled: the API server on its store, then, talking to it
 * only through the API with the admin credential, the controller manager (every built-in
 * controller, under leader election on a Lease so two servers never run the same controller) and
 * the scheduler (a runnable of the same manager, so it too runs only on the leader), and optionally
 * a fleet of simulated nodes. `stop()` undoes it in reverse order.
 */
import type { DefaultTolerationSeconds } from '../apiserver/admission/default-toleration-seconds.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/server.js';
import { KubeClient } from '../client/index.js';
import { Manager } from '../controller-runtime/manager.js';
import { controllers } from '../controllers/index.js';
import { registerComponentHealth } from './component-health.js';
import { ComponentIdentities, KUBE_CONTROLLER_MANAGER_USER, KUBE_SCHEDULER_USER } from './component-identities.js';
import { ensureLocalPathClass } from './local-storage.js';
import type { ControllerConfig } from '../controllers/config.js';
import type { ServiceRanges } from '../apiserver/ipalloc/service-allocator.js';
import { Scheduler } from '../scheduler/index.js';
import { startSimulatedNodes, type SimulatedFleet, type SimulatedNodesOptions } from '../simulated-nodes/index.js';
import { openStore, type EtcdTls, type Store } from '../store/index.js';
import type { AutoCompactOptions } from '../store/auto-compact.js';
import { loadEncryptionConfig } from '../apiserver/encryption/config.js';
import { ensureGeneratedEncryptionConfig } from '../apiserver/encryption/generated-config.js';
import { loadAuditPolicy } from '../apiserver/audit/policy.js';
import type { AuditorOptions } from '../apiserver/audit/auditor.js';
import type { InflightLimits } from '../apiserver/http/inflight.js';
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';

/**
 * History compaction of the store, as kube-apiserver's --etcd-compaction-interval (5m) and kine
 * (every 5 min, keeping 1,000 revisions): without it every write ever made (a lease renewal per
 * node every few seconds) stays in the store's history for good.
 */
export const DEFAULT_COMPACTION: Required<Omit<AutoCompactOptions, 'clock'>> = { compactInterval: 60_000, retainRevisions: 10_000 };

export interface ControlPlaneOptions {
  dataDir: string;
  port: number;
  bindAddress?: string;
  store: 'sqlite' | 'memory' | 'etcd';
  /** History compaction of the sqlite and memory stores; default DEFAULT_COMPACTION (compactInterval 0 turns it off). */
  compaction?: AutoCompactOptions;
  /** etcd client URLs when store is 'etcd'. */
  etcdEndpoints?: string[];
  /** Files of etcd's CA, the client certificate and its key (--etcd-cafile/-certfile/-keyfile, k3s's --datastore-*). */
  etcdTls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** What every built-in controller is configured with (cluster CIDR, node lifecycle, ServiceLB pool). */
  controllers?: ControllerConfig;
  /** ClusterIP and NodePort ranges of the API server (default 10.43.0.0/16, 30000-32767). */
  serviceRanges?: ServiceRanges;
  /** Joined nodes that may get the built-in Ingress controller's credential (`*`: all; default none). */
  agentIngressNodes?: string[];
  /** --max-requests-inflight, --max-mutating-requests-inflight, --enable-priority-and-fairness (http/inflight.ts). */
  inflight?: InflightLimits;
  /** The API server's DefaultTolerationSeconds admission values; absent: the plugin is off. */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
  /** Simulated nodes to run in this process (0: none). */
  simulatedNodes?: Omit<SimulatedNodesOptions, 'count'> & { count: number };
  /** Run no built-in controllers (k3s --disable-controller-manager): another server or process runs them. */
  disableControllerManager?: boolean;
  /** Run no scheduler (k3s --disable-scheduler). */
  disableScheduler?: boolean;
  /** Extra controllers to declare on the manager (e.g. node IPAM), by the caller. */
  extraControllers?: Array<(mgr: Manager) => void>;
  log?: (msg: string) => void;
  /** --encryption-provider-config: an EncryptionConfiguration file (read and checked before the store opens). */
  encryptionProviderConfig?: string;
  /** k3s's --secrets-encryption: without a file of one's own, DATA_DIR/encryption-config.yaml (made on first start). */
  secretsEncryption?: boolean;
  /** --audit-policy-file and --audit-log-path (both, or no audit log, as kube-apiserver), --audit-log-maxsize (MB) / -maxbackup / -maxage (days). */
  audit?: { policyFile?: string; path?: string; maxSizeMb?: number; maxBackups?: number; maxAgeDays?: number };
  /** --service-account-signing-key-file and --service-account-key-file (default: the data dir's keys). */
  serviceAccountKeys?: ApiServerOptions['serviceAccountKeys'];
  /** --anonymous-auth (default true): requests without credentials are system:anonymous, for RBAC to decide. */
  anonymousAuth?: boolean;
  /** --event-ttl (default 1 hour): Events are deleted this long after their last write. */
  eventTtlMs?: number;
}

export interface ControlPlane {
  api: ApiServer;
  /** The admin client (bootstrapping and tests); the components use their own identities (component-identities.ts). */
  client: KubeClient;
  manager: Manager;
  /** Absent with disableScheduler. */
  scheduler?: Scheduler;
  fleet?: SimulatedFleet;
  stop(): Promise<void>;
}

/** The PEMs of the etcd TLS files; undefined when none is given. */
function etcdTls(files: ControlPlaneOptions['etcdTls']): EtcdTls | undefined {
  if (!files?.caFile && !files?.certFile && !files?.keyFile) return undefined;
  if (!files.certFile !== !files.keyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  const read = (f?: string) => (f ? readFileSync(f, 'utf8') : undefined);
  return { ca: read(files.caFile), cert: read(files.certFile), key: read(files.keyFile) };
}

/** The audit log's options; undefined without both a policy and a path (kube-apiserver then logs nothing). */
function auditOptions(a: ControlPlaneOptions['audit']): AuditorOptions | undefined {
  if (!a?.policyFile || !a.path) return undefined;
  return { policy: loadAuditPolicy(a.policyFile), path: a.path, maxSizeBytes: (a.maxSizeMb ?? 0) * 1024 * 1024, maxBackups: a.maxBackups, maxAgeDays: a.maxAgeDays };
}

function openConfiguredStore(o: ControlPlaneOptions): Store {
  const compaction = { ...DEFAULT_COMPACTION, ...o.compaction };
  if (o.store === 'etcd') {
    if (!o.etcdEndpoints?.length) throw new Error('--store etcd needs --etcd-endpoints');
    // etcd's history is etcd's own to compact (--auto-compaction-retention), shared by every prefix.
    return openStore({ backend: 'etcd', endpoints: o.etcdEndpoints, prefix: '/bosun', tls: etcdTls(o.etcdTls) });
  }
  if (o.store === 'sqlite') return openStore({ backend: 'sqlite', path: join(o.dataDir, 'state.db'), ...compaction });
  return openStore({ backend: 'memory', ...compaction });
}

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const log = o.log ?? (() => {});
  // A fresh machine has no data dir yet (the default /var/lib/bosun): the store lives in it.
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const encryptionFile = o.encryptionProviderConfig ?? (o.secretsEncryption ? ensureGeneratedEncryptionConfig(o.dataDir) : undefined);
  const encryption = encryptionFile ? loadEncryptionConfig(encryptionFile) : undefined;
  const audit = auditOptions(o.audit);
  const store = openConfiguredStore(o);
  // etcd's endpoints read as etcd-0, etcd-1, ... in v1 ComponentStatus as upstream; SQLite and memory as etcd-0.
  const storeComponentNames = o.store === 'etcd' ? (o.etcdEndpoints ?? []).map((_, i) => `etcd-${i}`) : undefined;
  const api = await startApiServer({ dataDir: o.dataDir, port: o.port, bindAddress: o.bindAddress, store, serviceRanges: o.serviceRanges, agentIngressNodes: o.agentIngressNodes, limits: o.inflight && { inflight: o.inflight }, encryption, audit, defaultTolerationSeconds: o.defaultTolerationSeconds, storeComponentNames, serviceAccountKeys: o.serviceAccountKeys, anonymousAuth: o.anonymousAuth, eventTtlMs: o.eventTtlMs });
  const client = KubeClient.fromKubeconfig(api.kubeconfigPath);
  // The admin certificate is renewed near expiry while the server runs: the control loops take it.
  api.certificates.onRenewed((pki) => client.setClientCertificate(pki.admin.cert, pki.admin.key));
  // The components run under their own identities (component-identities.ts); the admin client
  // only bootstraps what the server ships with (the default StorageClass) and the simulated fleet.
  const identities = new ComponentIdentities(api);
  const manager = new Manager({
    client: identities.client(KUBE_CONTROLLER_MANAGER_USER),
    leaderElection: { namespace: 'kube-system', name: 'bosun-controller-manager', identity: `${hostname()}-${randomBytes(4).toString('hex')}` },
    onLeadershipLost: () => log('leadership lost; control loops stopped'),
  });
  if (!o.disableControllerManager) {
    // Local-path volumes of nodes that do not publish their directory go under the server's data dir.
    const config: ControllerConfig = { ...o.controllers, persistentVolume: { defaultLocalPathDir: join(o.dataDir, 'storage'), ...o.controllers?.persistentVolume }, csrSigning: { ca: () => api.pki.ca, ...o.controllers?.csrSigning },
      // The tokens controller signs legacy token Secrets with the server's own key.
      serviceAccountToken: { signLegacyToken: api.serviceAccountTokens.signLegacyToken, ...o.controllers?.serviceAccountToken },
    };
    for (const [name, add] of Object.entries(controllers)) add(identities.managerFor(manager, name), config);
  }
  for (const add of o.extraControllers ?? []) add(manager);
  let scheduler: Scheduler | undefined;
  if (!o.disableScheduler) {
    const s = new Scheduler({ client: identities.client(KUBE_SCHEDULER_USER), informers: manager.informers });
    manager.add({ start: (signal) => s.start(signal), stop: () => s.stop() });
    scheduler = s;
  }

  // v1 ComponentStatus: each in-process component is healthy once the manager's informers synced.
  let synced = false;
  registerComponentHealth(api, o, () => synced);

  let fleet: SimulatedFleet | undefined;
  try {
    // Nothing to run: no informers, no leader election lease renewals.
    const anyLoops = !o.disableControllerManager || !o.disableScheduler || (o.extraControllers?.length ?? 0) > 0;
    // The default class of k3s's local-storage addon goes with the controllers that provision it.
    if (!o.disableControllerManager) await ensureLocalPathClass(client);
    if (anyLoops) await manager.start();
    synced = true;
    if (o.simulatedNodes && o.simulatedNodes.count > 0) {
      // The fleet shares the manager's pod and node informers (one watch each) when it runs.
      fleet = await startSimulatedNodes(client, { ...o.simulatedNodes, ...(anyLoops ? { informers: manager.informers } : {}) });
      log(`${o.simulatedNodes.count} simulated nodes registered`);
    }
  } catch (err) {
    await manager.stop().catch(() => {});
    identities.close();
    client.close();
    await api.stop();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    api, client, manager, scheduler, fleet,
    stop() {
      stopped ??= (async () => {
        await fleet?.close();
        await manager.stop();
        identities.close();
        client.close();
        await api.stop();
      })();
      return stopped;
    },
  };
}
