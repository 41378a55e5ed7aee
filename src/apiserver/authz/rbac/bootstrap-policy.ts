/**
 * The bootstrap policy the API server reconciles at start, as upstream's
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (v1.32, trimmed to the kinds Bosun
 * serves): the user-facing roles (cluster-admin, admin/edit/view built by aggregation from the
 * system:aggregate-to-* roles), the discovery and self-review roles every user holds, one role per
 * built-in component, and the bindings that give them out. Every object carries upstream's label
 * kubernetes.io/bootstrapping=rbac-defaults and annotation rbac.authorization.kubernetes.io/autoupdate=true.
 */
import type { ClusterRole } from '../../../api/kinds/rbac/cluster-role.js';
import type { ClusterRoleBinding } from '../../../api/kinds/rbac/cluster-role-binding.js';
import type { PolicyRule, Subject } from '../../../api/kinds/rbac/policy-rule.js';
import { CONTROLLER_ROLE_PREFIX, CONTROLLER_ROLES } from './bootstrap-controller-roles.js';
import { eventsRule, READ, READ_UPDATE, READ_WRITE, rule, urls, WRITE } from './bootstrap-rules.js';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';

/** The built-in components' user names (k8s.io/apiserver/pkg/authentication/user). */
export const KUBE_SCHEDULER = 'system:kube-scheduler';
export const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
export const KUBE_PROXY = 'system:kube-proxy';
/** Bosun's DNS runs as service account kube-system/kube-dns, as a cluster's CoreDNS does. */
export const KUBE_DNS_SERVICE_ACCOUNT = 'kube-dns';
/** Bosun's opt-in Ingress controller (src/ingress) runs as kube-system/bosun-ingress, as k3s's Traefik as kube-system/traefik. */
export const BOSUN_INGRESS_SERVICE_ACCOUNT = 'bosun-ingress';
/** The Lease the controller manager (and the scheduler with it) elects its leader on. */
export const CONTROLLER_MANAGER_LEASE = 'bosun-controller-manager';

const RBAC = 'rbac.authorization.k8s.io';

function clusterRole(name: string, rules: PolicyRule[] | undefined, extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole {
  return {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRole',
    metadata: { name, labels: { ...LABELS, ...extra.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    ...(extra.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGGREGATE}${extra.aggregateFrom}`]: 'true' } }] } } : {}),
    ...(rules ? { rules } : {}),
  };
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

function binding(role: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name: role, labels: { ...LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    ...(subjects.length ? { subjects } : {}),
  };
}

/** NodeRules(): what a node may do, narrowed further by the node authorizer and NodeRestriction. */
const nodeRules: PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(READ, [''], ['services']),
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch'], [''], ['nodes']),
  rule(['create', 'update', 'patch'], [''], ['events']),
  rule(READ, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(READ, [''], ['secrets', 'configmaps']),
  rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], [''], ['endpoints']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
  rule(['create'], [''], ['serviceaccounts/token']),
];

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
    clusterRole('system:monitoring', [urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    // Upstream's ClusterRole for service account issuer discovery (bound to every service account).
    clusterRole('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])]),
    clusterRole('admin', undefined, { aggregateFrom: 'admin' }),
    clusterRole('edit', undefined, { aggregateFrom: 'edit', labels: { [`${AGGREGATE}admin`]: 'true' } }),
    clusterRole('view', undefined, { aggregateFrom: 'view', labels: { [`${AGGREGATE}edit`]: 'true' } }),
    clusterRole('system:aggregate-to-admin', [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(READ_WRITE, [RBAC], ['roles', 'rolebindings']),
    ], { labels: { [`${AGGREGATE}admin`]: 'true' } }),
    clusterRole('system:aggregate-to-edit', [
      rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      rule(['create'], [''], ['pods/eviction']),
      rule(WRITE, [''], ['serviceaccounts', 'services', 'services/proxy', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'secrets']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
      rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
      rule(WRITE, ['discovery.k8s.io'], ['endpointslices']),
    ], { labels: { [`${AGGREGATE}edit`]: 'true' } }),
    clusterRole('system:aggregate-to-view', [
      rule(READ, [''], ['pods', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, [''], ['bindings', 'events', 'pods/status', 'namespaces/status', 'pods/log']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
    ], { labels: { [`${AGGREGATE}view`]: 'true' } }),
    clusterRole('system:node', nodeRules),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(READ, [''], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    // Bosun's NetworkPolicy enforcer runs beside the proxy as its identity and reads what kube-router's
    // network policy controller reads (k3s's system:k3s-controller): pods, namespaces, policies.
    clusterRole('system:bosun-network-policy', [
      rule(['list', 'watch'], [''], ['pods', 'namespaces']),
      rule(['list', 'watch'], ['networking.k8s.io'], ['networkpolicies']),
    ]),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(READ, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      // Upstream names its lease kube-controller-manager; Bosun's is bosun-controller-manager.
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager', CONTROLLER_MANAGER_LEASE]),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      // Bosun's DNS answers from EndpointSlices and publishes its own (as CoreDNS's kubernetes plugin reads them).
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      // Bosun's DNS admits queries from Node addresses (client-acl.ts); CoreDNS's system:coredns reads nodes too.
      rule(['list', 'watch'], [''], ['nodes']),
    ]),
    // ingress-nginx's controller ClusterRole, narrowed to what src/ingress reads, plus creating its IngressClass at start.
    clusterRole('system:bosun-ingress', [
      rule(['list', 'watch'], [''], ['services', 'secrets']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
      rule(['update'], ['networking.k8s.io'], ['ingresses/status']),
      rule(['create'], ['networking.k8s.io'], ['ingressclasses']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(READ, [''], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, [''], ['services']),
      rule(READ, ['apps'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(READ, ['storage.k8s.io'], ['csinodes', 'csidrivers', 'csistoragecapacities']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['scheduling.k8s.io'], ['priorityclasses']),
    ]),
    clusterRole('system:volume-scheduler', [
      rule(READ_UPDATE, [''], ['persistentvolumes']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(READ_UPDATE, [''], ['persistentvolumeclaims']),
    ]),
    ...Object.entries(CONTROLLER_ROLES).map(([sa, rules]) => clusterRole(`${CONTROLLER_ROLE_PREFIX}${sa}`, rules)),
  ];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', [group('system:masters')]),
    binding('system:monitoring', [group('system:monitoring')]),
    binding('system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    binding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    binding('system:node-proxier', [user(KUBE_PROXY)]),
    binding('system:bosun-network-policy', [user(KUBE_PROXY)]),
    binding('system:kube-controller-manager', [user(KUBE_CONTROLLER_MANAGER)]),
    binding('system:kube-dns', [serviceAccount('kube-system', KUBE_DNS_SERVICE_ACCOUNT)]),
    binding('system:bosun-ingress', [serviceAccount('kube-system', BOSUN_INGRESS_SERVICE_ACCOUNT)]),
    binding('system:kube-scheduler', [user(KUBE_SCHEDULER)]),
    binding('system:volume-scheduler', [user(KUBE_SCHEDULER)]),
    // Deprecated since the node authorizer (1.7): kept with no subjects, as upstream.
    binding('system:node', []),
    ...Object.keys(CONTROLLER_ROLES).map((sa) => binding(`${CONTROLLER_ROLE_PREFIX}${sa}`, [serviceAccount('kube-system', sa)])),
  ];
}
