/**
 * Each built-in control-plane component with its own identity instead of the admin credential, as
 * a kubeadm cluster runs them: the controller manager's shared informers and leader election as
 * user system:kube-controller-manager, each controller as its service account
 * system:serviceaccount:kube-system:<name> (kube-controller-manager --use-service-account-credentials;
 * here a client certificate from the cluster CA with the service accounts' groups), the scheduler
 * as system:kube-scheduler. The bootstrap policy (src/apiserver/authz/rbac/bootstrap-policy.ts)
 * binds each to its least-privilege role. Certificates are re-minted when the CA renews the others.
 */
import type { ApiServer } from '../apiserver/server.js';
import { issueClientCertificate, type Pki } from '../apiserver/pki/pki.js';
import { KubeClient, kubernetesUserAgent } from '../client/index.js';
import type { Manager } from '../controller-runtime/manager.js';

/**
 * Controller name (src/controllers/index.ts) -> its service account in kube-system (upstream's names),
 * bound to ClusterRole system:controller:<account> (bootstrap-controller-roles.ts). A controller not
 * listed runs as the controller manager itself, which may only read: a new controller needs a row
 * here and a role there.
 */
export const CONTROLLER_SERVICE_ACCOUNTS: Readonly<Record<string, string>> = {
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  daemonset: 'daemon-set-controller',
  statefulset: 'statefulset-controller',
  job: 'job-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  disruption: 'disruption-controller',
  cronjob: 'cronjob-controller',
  endpoints: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  endpointslicemirroring: 'endpointslicemirroring-controller',
  garbagecollector: 'generic-garbage-collector',
  namespace: 'namespace-controller',
  nodeipam: 'node-controller',
  nodelifecycle: 'node-controller',
  servicelb: 'service-controller',
  'ingress-status': 'ingress-status-controller',
  podgc: 'pod-garbage-collector',
  serviceaccount: 'service-account-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  'persistentvolume-binder': 'persistent-volume-binder',
  'pvc-protection': 'pvc-protection-controller',
  'pv-protection': 'pv-protection-controller',
  clusterrole: 'clusterrole-aggregation-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  csrsigning: 'certificate-controller',
  resourcequota: 'resourcequota-controller',
};

export const KUBE_CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const KUBE_SCHEDULER_USER = 'system:kube-scheduler';
const CONTROLLER_ACCOUNT_PREFIX = 'system:serviceaccount:kube-system:';

/**
 * The User-Agent of `user`'s client, as upstream's binaries send it (client-go's
 * DefaultKubernetesUserAgent): kube-scheduler's; kube-controller-manager's with rest.AddUserAgent's
 * suffix, its controller's service account (SAControllerClientBuilder) or "shared-informers" (its
 * own client). The API server takes the part before '/' as the field manager of their writes.
 */
function userAgentOf(user: string): string {
  if (user === KUBE_SCHEDULER_USER) return kubernetesUserAgent('kube-scheduler');
  if (user === KUBE_CONTROLLER_MANAGER_USER) return kubernetesUserAgent('kube-controller-manager', 'shared-informers');
  if (user.startsWith(CONTROLLER_ACCOUNT_PREFIX)) return kubernetesUserAgent('kube-controller-manager', user.slice(CONTROLLER_ACCOUNT_PREFIX.length));
  return `bosun/${user}`;
}

export class ComponentIdentities {
  private readonly clients: { client: KubeClient; user: string; groups: string[] }[] = [];
  private readonly byUser = new Map<string, KubeClient>();

  constructor(private readonly api: ApiServer) {
    api.certificates.onRenewed((pki) => this.renew(pki));
  }

  /**
   * A client authenticated as `user` in `groups` (one per user, shared). Its User-Agent is its
   * component's as upstream's (userAgentOf), which names the field manager of its writes.
   */
  client(user: string, groups: string[] = []): KubeClient {
    const known = this.byUser.get(user);
    if (known) return known;
    const pair = issueClientCertificate(this.api.pki, user, groups);
    const client = new KubeClient({ server: this.api.url, ca: this.api.pki.ca.cert, cert: pair.cert, key: pair.key }, { userAgent: userAgentOf(user) });
    this.clients.push({ client, user, groups });
    this.byUser.set(user, client);
    return client;
  }

  /** The client of controller `name`: its service account's, or the controller manager's own for a controller without one. */
  controllerClient(name: string): KubeClient {
    const sa = CONTROLLER_SERVICE_ACCOUNTS[name];
    if (!sa) return this.client(KUBE_CONTROLLER_MANAGER_USER);
    return this.client(`${CONTROLLER_ACCOUNT_PREFIX}${sa}`, ['system:serviceaccounts', 'system:serviceaccounts:kube-system']);
  }

  /**
   * `mgr` as controller `name` sees it: the same informers, queues and leadership, but its own
   * client for every write and its events.
   */
  managerFor(mgr: Manager, name: string): Manager {
    const view = Object.create(mgr) as Manager;
    Object.defineProperty(view, 'client', { value: this.controllerClient(name), enumerable: true });
    return view;
  }

  private renew(pki: Pki): void {
    for (const c of this.clients) {
      const pair = issueClientCertificate(pki, c.user, c.groups);
      c.client.setClientCertificate(pair.cert, pair.key);
    }
  }

  close(): void {
    for (const c of this.clients) c.client.close();
  }
}
