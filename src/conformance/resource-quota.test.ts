/**
 * Upstream's ResourceQuota conformance tests (test/e2e/apimachinery/resource_quota.go) against a
 * real API server with the resource quota controller: usage of each counted kind captured and
 * released, pods' compute requests and extended resources, the BestEffort/NotBestEffort and
 * Terminating/NotTerminating scopes, update/delete, lifecycle (list by label, patch, deletecollection)
 * and the status subresource. Each test has its own namespace, as upstream's framework gives.
 * Usage is compared as quantities (upstream's waitForResourceQuota uses Quantity.Cmp).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { parseQuantity } from '../api/quantity/quantity.js';
import { StatusError } from '../api/status.js';
import { isConflict } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { addResourceQuotaController } from '../controllers/resource-quota/resource-quota-controller.js';
import { startControllerEnv, type ControllerEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

let env: ControllerEnv;
let client: KubeClient;
let nsCount = 0;

before(async () => {
  env = await startControllerEnv({ add: (mgr) => addResourceQuotaController(mgr) });
  client = env.client;
});
after(() => env.stop());

type Quota = KubeObject & { spec?: { hard?: Record<string, string>; scopes?: string[] }; status?: { hard?: Record<string, string>; used?: Record<string, string> } };
const quotas = (ns: string) => client.resource<Quota>(resources.resourcequotas, ns);

async function freshNamespace(): Promise<string> {
  const ns = `cf-resourcequota-${++nsCount}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return ns;
}

const extended = 'example.com/dongle';
/** upstream's newTestResourceQuota (count/replicasets.extensions kept: a resource nothing serves). */
const testQuota = (name: string, extra: Record<string, string> = {}, scopes?: string[]): Quota => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name },
  spec: {
    hard: scopes ? extra : {
      pods: '5', services: '10', 'services.nodeports': '1', 'services.loadbalancers': '1', replicationcontrollers: '10', resourcequotas: '1',
      cpu: '1', memory: '500Mi', configmaps: '10', secrets: '10', persistentvolumeclaims: '10', 'requests.storage': '10Gi',
      'ephemeral-storage': '50Gi', 'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '10',
      'gold.storageclass.storage.k8s.io/requests.storage': '10Gi', 'count/replicasets.extensions': '5', [`requests.${extended}`]: '3',
      ...extra,
    },
    ...(scopes ? { scopes } : {}),
  },
});

/** upstream's waitForResourceQuota: every expected resource used, compared as quantities. */
async function waitUsed(ns: string, name: string, want: Record<string, string>): Promise<void> {
  let last: Record<string, string> | undefined;
  await eventually(async () => {
    last = (await quotas(ns).get(name)).status?.used;
    return Object.entries(want).every(([k, v]) => last?.[k] !== undefined && parseQuantity(last[k]).cmp(parseQuantity(v)) === 0);
  }, `quota ${name} used ${JSON.stringify(want)}`, { timeoutMs: 20_000 }).catch((e: unknown) => {
    throw new Error(`${String(e)}; last used ${JSON.stringify(last)}`);
  });
}

const rejected = async (p: Promise<unknown>, code: number): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof StatusError && e.status.code === code);
};

const pod = (name: string, requests: Record<string, string>, limits: Record<string, string> = {}, extra: object = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests, limits } }], ...extra },
} as KubeObject);

test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and ensure its status is promptly calculated. [Conformance]', async () => {
  const ns = await freshNamespace();
  await quotas(ns).create(testQuota('test-quota'));
  await waitUsed(ns, 'test-quota', { resourcequotas: '1' });
});

test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a service. [Conformance]', async () => {
  const ns = await freshNamespace();
  await quotas(ns).create(testQuota('test-quota'));
  await waitUsed(ns, 'test-quota', { resourcequotas: '1', services: '0', 'services.nodeports': '0', 'services.loadbalancers': '0' });
  const svc = (name: string, type: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type, ports: [{ port: 80, targetPort: 80 }] } }) as KubeObject;
  await client.services(ns).create(svc('test-service-clusterip', 'ClusterIP'));
  await client.services(ns).create(svc('test-service-nodeport', 'NodePort'));
  // Over services.loadbalancers? no: the quota allows one; a second NodePort exceeds nodeports=1.
  await rejected(client.services(ns).create(svc('test-service-np', 'NodePort')), 403);
  await waitUsed(ns, 'test-quota', { services: '2', 'services.nodeports': '1', 'services.loadbalancers': '0' });
  await client.services(ns).delete('test-service-clusterip');
  await client.services(ns).delete('test-service-nodeport');
  await waitUsed(ns, 'test-quota', { services: '0', 'services.nodeports': '0', 'services.loadbalancers': '0' });
});

for (const [kind, plural, key, make] of [
  ['configMap', 'configmaps', 'configmaps', (n: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { a: 'b' } })],
  ['secret', 'secrets', 'secrets', (n: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: n }, data: { 'secret-key': Buffer.from('value').toString('base64') } })],
  ['replication controller', 'replicationcontrollers', 'replicationcontrollers', (n: string) => ({
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: n },
    spec: { replicas: 0, selector: { name: 'nginx' }, template: { metadata: { labels: { name: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  })],
  ['replica set', 'replicasets', 'count/replicasets.apps', (n: string) => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: n },
    spec: { replicas: 0, selector: { matchLabels: { name: 'nginx' } }, template: { metadata: { labels: { name: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  })],
] as const) {
  test(`[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a ${kind}. [Conformance]`, async () => {
    const ns = await freshNamespace();
    const ref = plural === 'replicasets' ? resources.replicasets : resources[plural];
    const objects = client.resource(ref, ns);
    const before = (await objects.list()).items.length;
    await quotas(ns).create(testQuota('test-quota', key === 'count/replicasets.apps' ? { 'count/replicasets.apps': '5' } : {}));
    await waitUsed(ns, 'test-quota', { resourcequotas: '1', [key]: String(before) });
    await objects.create(make('test-object') as KubeObject);
    await waitUsed(ns, 'test-quota', { resourcequotas: '1', [key]: String(before + 1) });
    await objects.delete('test-object', { propagationPolicy: 'Background' });
    await waitUsed(ns, 'test-quota', { [key]: String(before) });
  });
}

test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a pod. [Conformance]', async () => {
  const ns = await freshNamespace();
  await quotas(ns).create(testQuota('test-quota'));
  await waitUsed(ns, 'test-quota', { resourcequotas: '1' });
  const requests = { cpu: '500m', memory: '252Mi', 'ephemeral-storage': '30Gi', [extended]: '2' };
  const created = await client.pods(ns).create(pod('test-pod', requests, { [extended]: '2' }));
  const used = { resourcequotas: '1', pods: '1', cpu: '500m', memory: '252Mi', 'ephemeral-storage': '30Gi', [`requests.${extended}`]: '2' };
  await waitUsed(ns, 'test-quota', used);
  // Over the remaining cpu; then over the remaining extended resource.
  await rejected(client.pods(ns).create(pod('fail-pod', { cpu: '600m', memory: '100Mi' })), 403);
  await rejected(client.pods(ns).create(pod('fail-pod-for-extended-resource', { cpu: '500m', memory: '100Mi', 'ephemeral-storage': '30Gi', [extended]: '2' }, { [extended]: '2' })), 403);
  // A pod cannot change its requests.
  const spec = created.spec!;
  const changed = { ...created, spec: { ...spec, containers: [{ ...spec.containers[0]!, resources: { requests: { cpu: '100m', memory: '100Mi', 'ephemeral-storage': '10Gi' } } }] } };
  await rejected(client.pods(ns).update(changed), 422);
  await waitUsed(ns, 'test-quota', used);
  await client.pods(ns).delete('test-pod', { gracePeriodSeconds: 0 });
  await waitUsed(ns, 'test-quota', { resourcequotas: '1', pods: '0', cpu: '0', memory: '0', 'ephemeral-storage': '0', [`requests.${extended}`]: '0' });
});

test('[sig-api-machinery] ResourceQuota should verify ResourceQuota with best effort scope. [Conformance]', async () => {
  const ns = await freshNamespace();
  await quotas(ns).create(testQuota('quota-besteffort', { pods: '5' }, ['BestEffort']));
  await quotas(ns).create(testQuota('quota-not-besteffort', { pods: '5' }, ['NotBestEffort']));
  await waitUsed(ns, 'quota-besteffort', { pods: '0' });
  await waitUsed(ns, 'quota-not-besteffort', { pods: '0' });
  await client.pods(ns).create(pod('best-effort', {}));
  await waitUsed(ns, 'quota-besteffort', { pods: '1' });
  await waitUsed(ns, 'quota-not-besteffort', { pods: '0' });
  await client.pods(ns).delete('best-effort', { gracePeriodSeconds: 0 });
  await waitUsed(ns, 'quota-besteffort', { pods: '0' });
  await client.pods(ns).create(pod('not-best-effort', { cpu: '500m', memory: '200Mi' }, { cpu: '1', memory: '400Mi' }));
  await waitUsed(ns, 'quota-not-besteffort', { pods: '1' });
  await waitUsed(ns, 'quota-besteffort', { pods: '0' });
  await client.pods(ns).delete('not-best-effort', { gracePeriodSeconds: 0 });
  await waitUsed(ns, 'quota-not-besteffort', { pods: '0' });
});

test('[sig-api-machinery] ResourceQuota should verify ResourceQuota with terminating scopes. [Conformance]', async () => {
  const ns = await freshNamespace();
  const hard = { pods: '5', 'requests.cpu': '1', 'requests.memory': '500Mi', 'limits.cpu': '2', 'limits.memory': '1Gi' };
  await quotas(ns).create(testQuota('quota-terminating', hard, ['Terminating']));
  await quotas(ns).create(testQuota('quota-not-terminating', hard, ['NotTerminating']));
  const zero = { pods: '0', 'requests.cpu': '0', 'requests.memory': '0', 'limits.cpu': '0', 'limits.memory': '0' };
  await waitUsed(ns, 'quota-terminating', zero);
  await waitUsed(ns, 'quota-not-terminating', zero);
  const requests = { cpu: '500m', memory: '200Mi' };
  const limits = { cpu: '1', memory: '400Mi' };
  const usage = { pods: '1', 'requests.cpu': '500m', 'requests.memory': '200Mi', 'limits.cpu': '1', 'limits.memory': '400Mi' };
  await client.pods(ns).create(pod('test-pod', requests, limits));
  await waitUsed(ns, 'quota-not-terminating', usage);
  await waitUsed(ns, 'quota-terminating', zero);
  await client.pods(ns).delete('test-pod', { gracePeriodSeconds: 0 });
  await waitUsed(ns, 'quota-not-terminating', zero);
  await client.pods(ns).create(pod('terminating-pod', requests, limits, { activeDeadlineSeconds: 3600 }));
  await waitUsed(ns, 'quota-terminating', usage);
  await waitUsed(ns, 'quota-not-terminating', zero);
  await client.pods(ns).delete('terminating-pod', { gracePeriodSeconds: 0 });
  await waitUsed(ns, 'quota-terminating', zero);
});

test('[sig-api-machinery] ResourceQuota should be able to update and delete ResourceQuota. [Conformance]', async () => {
  const ns = await freshNamespace();
  const quota: Quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'test-quota' }, spec: { hard: { cpu: '1', memory: '500Mi' } } };
  await quotas(ns).create(quota);
  const got = await quotas(ns).get('test-quota');
  assert.deepEqual(got.spec?.hard, { cpu: '1', memory: '500Mi' });
  // As upstream, the update sends the object as first built, without a resourceVersion: ResourceQuota
  // allows unconditional updates (its strategy's AllowUnconditionalUpdate), so the controller's status
  // writes in between do not make it a conflict.
  const updated = await quotas(ns).update({ ...quota, spec: { hard: { cpu: '2', memory: '1Gi' } } });
  assert.equal(updated.spec?.hard?.cpu, '2');
  assert.equal(updated.spec?.hard?.memory, '1Gi');
  await quotas(ns).delete('test-quota');
  await rejected(quotas(ns).get('test-quota'), 404);
});

test('[sig-api-machinery] ResourceQuota should manage the lifecycle of a ResourceQuota [Conformance]', async () => {
  const ns = await freshNamespace();
  const name = 'e2e-rq-lifecycle';
  await quotas(ns).create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, labels: { [name]: 'true' } }, spec: { hard: { cpu: '1', memory: '500Mi' } } });
  const all = await client.resource<Quota>(resources.resourcequotas).list({ labelSelector: `${name}=true` });
  assert.equal(all.items.length, 1, 'one quota across all namespaces by the label');
  const patched = await quotas(ns).patch(name, 'strategic', { metadata: { labels: { patched: 'true' } }, spec: { hard: { cpu: '1', memory: '750Mi' } } });
  assert.equal(patched.metadata.labels?.patched, 'true');
  assert.equal(patched.spec?.hard?.memory, '750Mi');
  await quotas(ns).deleteCollection({ labelSelector: `${name}=true` });
  assert.equal((await quotas(ns).list({ labelSelector: `${name}=true` })).items.length, 0);
});

test('[sig-api-machinery] ResourceQuota should apply changes to a resourcequota status [Conformance]', async () => {
  // The controller ignores status-only changes, so putting status.hard back waits for its full
  // recalculation (upstream waits up to 6 minutes for the default 5): a server of its own with a
  // 2 s --resource-quota-sync-period.
  const own = await startControllerEnv({ add: (mgr) => addResourceQuotaController(mgr, { resyncMs: 2000 }) });
  try {
    await statusLifecycle(own.client);
  } finally {
    await own.stop();
  }
});

async function statusLifecycle(client: KubeClient): Promise<void> {
  const ns = 'cf-resourcequota-status';
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const quotas = (n: string) => client.resource<Quota>(resources.resourcequotas, n);
  const name = 'e2e-rq-status';
  await quotas(ns).create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, labels: { [name]: 'true' } }, spec: { hard: { cpu: '500m', memory: '500Mi' } } });
  await eventually(async () => (await quotas(ns).get(name)).status?.hard?.cpu === '500m', 'status.hard from spec');
  // upstream's RetryOnConflict: the controller writes the same status concurrently.
  let updated: Quota | undefined;
  while (!updated) {
    const cur = await quotas(ns).get(name);
    updated = await quotas(ns).updateStatus({ ...cur, status: { hard: { ...cur.spec?.hard } } }).catch((e: unknown) => (isConflict(e) ? undefined : Promise.reject(e)));
  }
  assert.deepEqual(updated.status?.hard, { cpu: '500m', memory: '500Mi' });
  assert.deepEqual(updated.spec?.hard, { cpu: '500m', memory: '500Mi' }, 'spec unchanged by a status update');
  const specPatched = await quotas(ns).patch(name, 'strategic', { spec: { hard: { cpu: '1', memory: '1Gi' } } });
  assert.deepEqual(specPatched.spec?.hard, { cpu: '1', memory: '1Gi' });
  const statusPatched = await quotas(ns).patchStatus(name, 'strategic', { status: { hard: { cpu: '2', memory: '2Gi' } } });
  assert.deepEqual(statusPatched.status?.hard, { cpu: '2', memory: '2Gi' });
  assert.deepEqual(statusPatched.spec?.hard, { cpu: '1', memory: '1Gi' }, 'spec unchanged by a status patch');
  // The controller puts status.hard back to spec.hard.
  await eventually(async () => {
    const hard = (await quotas(ns).get(name)).status?.hard;
    return hard?.cpu === '1' && hard.memory === '1Gi';
  }, 'status.hard recalculated from spec');
}
