/**
 * Upstream's API Priority and Fairness bootstrap configuration, v1.32
 * (staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go): the mandatory objects
 * (exempt and catch-all, always restored by the server) and the suggested ones (created once, then
 * the user's, unless annotated apf.kubernetes.io/autoupdate-spec: "true").
 */
import type { FlowSchema, PolicyRulesWithSubjects } from './flow-schema.js';
import type { PriorityLevelConfiguration } from './priority-level-configuration.js';

type Subject = PolicyRulesWithSubjects['subjects'][number];
type ResourceRule = NonNullable<PolicyRulesWithSubjects['resourceRules']>[number];

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourceRule =>
  ({ verbs, apiGroups, resources, namespaces, clusterScope });

const ALL_RESOURCES = (): ResourceRule[] => [resourceRule(['*'], ['*'], ['*'], ['*'], true)];
const ALL_NON_RESOURCES = () => [{ verbs: ['*'], nonResourceURLs: ['*'] }];

function flowSchema(name: string, pl: string, matchingPrecedence: number, distinguisher: 'ByUser' | 'ByNamespace' | '', ...rules: PolicyRulesWithSubjects[]): FlowSchema {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name },
    spec: { priorityLevelConfiguration: { name: pl }, matchingPrecedence, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}), rules },
  };
}
/** NewFSAll: the subjects, whatever they ask. */
const allOf = (name: string, pl: string, precedence: number, d: 'ByUser' | 'ByNamespace' | '', subjects: Subject[]): FlowSchema =>
  flowSchema(name, pl, precedence, d, { subjects, resourceRules: ALL_RESOURCES(), nonResourceRules: ALL_NON_RESOURCES() });

function limited(name: string, shares: number, lendablePercent: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }): PriorityLevelConfiguration {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' } } },
  };
}
const q = (queues: number, handSize: number, queueLengthLimit: number) => ({ queues, handSize, queueLengthLimit });

export const MANDATORY_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'exempt' }, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  limited('catch-all', 5, 0),
];

export const MANDATORY_FLOW_SCHEMAS: readonly FlowSchema[] = [
  allOf('exempt', 'exempt', 1, '', groups('system:masters')),
  allOf('catch-all', 'catch-all', 10000, 'ByUser', groups('system:unauthenticated', 'system:authenticated')),
];

export const SUGGESTED_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  limited('system', 30, 33, q(64, 6, 50)),
  limited('node-high', 40, 25, q(64, 6, 50)),
  limited('leader-election', 10, 0, q(16, 4, 50)),
  limited('workload-high', 40, 50, q(128, 6, 50)),
  limited('workload-low', 100, 90, q(128, 6, 50)),
  limited('global-default', 20, 50, q(128, 6, 50)),
];

const LEADER_VERBS = ['get', 'create', 'update'];

export const SUGGESTED_FLOW_SCHEMAS: readonly FlowSchema[] = [
  allOf('system-nodes', 'system', 500, 'ByUser', groups('system:nodes')),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  flowSchema('probes', 'exempt', 2, '', { subjects: groups('system:unauthenticated', 'system:authenticated'), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users('system:kube-controller-manager', 'system:kube-scheduler'), ...kubeSystemServiceAccounts('*')],
    resourceRules: [resourceRule(LEADER_VERBS, ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users('system:kube-controller-manager'), ...kubeSystemServiceAccounts('endpoint-controller')],
    resourceRules: [resourceRule(LEADER_VERBS, [''], ['endpoints'], ['*'], false)],
  }),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemServiceAccounts('*'),
    resourceRules: [resourceRule(LEADER_VERBS, ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  allOf('kube-controller-manager', 'workload-high', 800, 'ByNamespace', users('system:kube-controller-manager')),
  allOf('kube-scheduler', 'workload-high', 800, 'ByNamespace', users('system:kube-scheduler')),
  allOf('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', kubeSystemServiceAccounts('*')),
  allOf('service-accounts', 'workload-low', 9000, 'ByUser', groups('system:serviceaccounts')),
  allOf('global-default', 'global-default', 9900, 'ByUser', groups('system:unauthenticated', 'system:authenticated')),
];

/** The annotation saying the server keeps an object's spec equal to its bootstrap value. */
export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';
