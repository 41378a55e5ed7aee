/**
 * Quota arithmetic from upstream's tables: pkg/quota/v1/evaluator/core/pods_test.go
 * (TestPodEvaluatorUsage: init containers as a max, overhead, terminal pods), services_test.go
 * (TestServiceEvaluatorUsage: loadbalancers and nodeports), persistent_volume_claims_test.go
 * (requests.storage and the per-class names), and plugin/pkg/admission/resourcequota/admission_test.go
 * (TestAdmitBelowQuotaLimit, TestAdmitExceedQuotaLimit, TestAdmitEnforceQuotaConstraints,
 * TestAdmitBelowBestEffortQuotaLimit / scopes), plus the compare-and-swap under racing creates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceQuota } from '../../api/kinds/core/resource-quota.js';
import { resourceQuotas } from '../../api/kinds/core/resource-quota.js';
import type { KubeObject } from '../../api/meta.js';
import { fromUsage, objectUsage, podUsage } from '../../api/quota/usage.js';
import { failure } from '../../api/status.js';
import { MemoryStore } from '../../store/memory.js';
import { encodeObject } from '../storage/codec.js';
import { objectKey } from '../storage/keys.js';
import { chargeQuota, QuotaAdmission, usageDelta } from './resource-quota.js';
import { watchedObjects } from './watched-objects.js';

const pod = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec, ...(status ? { status } : {}) });
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>) => ({ name, image: 'x', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });
const quota = (hard: Record<string, string>, used: Record<string, string>, spec: Record<string, unknown> = {}): ResourceQuota =>
  ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns', resourceVersion: '1' }, spec: { hard, ...spec }, status: { hard, used } } as ResourceQuota);
const forbid = (m: string) => failure(403, 'Forbidden', `pods "p" is forbidden: ${m}`);
const message = (fn: () => unknown): string => {
  try { fn(); } catch (err) { return (err as { status: { message: string } }).status.message; }
  return 'admitted';
};

test('TestPodEvaluatorUsage: init containers count as a max, overhead is added, terminal pods count only count/pods', () => {
  const p = pod({ initContainers: [c('i', { cpu: '2' }, { cpu: '2' })], containers: [c('a', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '2Gi' }), c('b', { cpu: '500m' })], overhead: { cpu: '100m' } });
  assert.deepEqual(fromUsage(podUsage(p)), {
    'count/pods': '1', cpu: '2100m', 'limits.cpu': '2100m', 'limits.memory': '2Gi', memory: '1Gi', pods: '1', 'requests.cpu': '2100m', 'requests.memory': '1Gi',
  });
  assert.deepEqual(fromUsage(podUsage(pod({ containers: [c('a', { 'example.com/gpu': '1' }, { 'example.com/gpu': '1' })] }))), { 'count/pods': '1', pods: '1', 'requests.example.com/gpu': '1' });
  assert.deepEqual(fromUsage(podUsage(pod({ containers: [c('a', { cpu: '1' })] }, { phase: 'Succeeded' }))), { 'count/pods': '1' });
});

test('services and claims: loadbalancers, nodeports, requests.storage and the per-class names', () => {
  assert.deepEqual(fromUsage(objectUsage('', 'services', { apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } })),
    { 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '2' });
  assert.deepEqual(fromUsage(objectUsage('', 'persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {}, spec: { storageClassName: 'gold', resources: { requests: { storage: '10Gi' } } } })), {
    'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '10Gi',
    'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '10Gi',
  });
  assert.deepEqual(fromUsage(objectUsage('apps', 'deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} })), { 'count/deployments.apps': '1' });
});

test('TestAdmitBelowQuotaLimit and TestAdmitExceedQuotaLimit: new usage, or upstream\'s exceeded message', () => {
  const p = pod({ containers: [c('a', { cpu: '100m', memory: '2Gi' }, { cpu: '100m', memory: '2Gi' })] });
  const q = quota({ cpu: '3', memory: '100Gi', pods: '5' }, { cpu: '1', memory: '50Gi', pods: '3' });
  assert.deepEqual(chargeQuota(q, '', 'pods', p, forbid), { cpu: '1100m', memory: '52Gi', pods: '4' });
  const tight = quota({ cpu: '3', memory: '100Gi', pods: '5' }, { cpu: '3', memory: '99Gi', pods: '3' });
  assert.equal(message(() => chargeQuota(tight, '', 'pods', p, forbid)),
    'pods "p" is forbidden: exceeded quota: q, requested: cpu=100m,memory=2Gi, used: cpu=3,memory=99Gi, limited: cpu=3,memory=100Gi');
});

test('TestAdmitEnforceQuotaConstraints: a compute quota needs each container to name the resource', () => {
  const q = quota({ 'limits.cpu': '4', 'requests.memory': '4Gi' }, { 'limits.cpu': '0', 'requests.memory': '0' });
  assert.equal(message(() => chargeQuota(q, '', 'pods', pod({ containers: [c('a', { cpu: '1' }), c('b', { memory: '1Gi' }, { cpu: '1' })] }), forbid)),
    'pods "p" is forbidden: failed quota: q: must specify limits.cpu for: a; requests.memory for: a');
});

test('scopes: a BestEffort quota ignores burstable pods; a PriorityClass In selector matches by class; an unfilled status is "status unknown"', () => {
  const be = quota({ pods: '1' }, { pods: '1' }, { scopes: ['BestEffort'] });
  assert.equal(chargeQuota(be, '', 'pods', pod({ containers: [c('a', { cpu: '1' })] }), forbid), undefined);
  assert.match(message(() => chargeQuota(be, '', 'pods', pod({ containers: [c('a')] }), forbid)), /exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1/);
  const pc = quota({ pods: '1' }, { pods: '1' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
  assert.equal(chargeQuota(pc, '', 'pods', pod({ priorityClassName: 'low', containers: [c('a')] }), forbid), undefined);
  assert.match(message(() => chargeQuota(pc, '', 'pods', pod({ priorityClassName: 'high', containers: [c('a')] }), forbid)), /exceeded quota/);
  const unknown = quota({ pods: '1' }, {});
  assert.equal(message(() => chargeQuota(unknown, '', 'pods', pod({ containers: [c('a')] }), forbid)), 'pods "p" is forbidden: status unknown for quota: q, resources: pods');
});

test('racing creates through the plugin: with room for 3 pods, 3 of 10 concurrent admissions pass and used ends at the hard limit', async () => {
  const store = new MemoryStore();
  const q = quota({ pods: '3' }, { pods: '0' });
  delete q.metadata.resourceVersion;
  const key = objectKey(resourceQuotas, 'ns', 'q');
  await store.create(key, encodeObject(q, resourceQuotas));
  // Two plugin instances over one store, as two API servers on one etcd: only the CAS serializes them.
  const a = new QuotaAdmission(store, watchedObjects<ResourceQuota>(store, resourceQuotas));
  const b = new QuotaAdmission(store, watchedObjects<ResourceQuota>(store, resourceQuotas));
  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).admit('', 'pods', 'ns', pod({ containers: [c('x')] }), false)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  const stored = JSON.parse((await store.get(key))!.value) as ResourceQuota;
  assert.deepEqual(stored.status?.used, { pods: '3' });
  await store.close();
});

test('updates charge what they add (services_test.go / TestAdmitHandlesOldObjects): a Service turned LoadBalancer, a claim grown', () => {
  const svc = (type: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { type, ports: [{ port: 80 }] } });
  const q = quota({ services: '5', 'services.loadbalancers': '0' }, { services: '1', 'services.loadbalancers': '0' });
  const forbidSvc = (m: string) => failure(403, 'Forbidden', `services "s" is forbidden: ${m}`);
  assert.equal(chargeQuota(q, '', 'services', svc('ClusterIP'), forbidSvc, svc('ClusterIP')), undefined);
  assert.equal(message(() => chargeQuota(q, '', 'services', svc('LoadBalancer'), forbidSvc, svc('ClusterIP'))),
    'services "s" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
  const claim = (size: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: size } } } });
  assert.deepEqual(fromUsage(usageDelta('', 'persistentvolumeclaims', claim('15Gi'), claim('10Gi'))), { 'requests.storage': '5Gi' });
});
