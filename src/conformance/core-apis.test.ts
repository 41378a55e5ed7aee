/**
 * Upstream conformance tests of core API kinds that need no node (test/e2e/common/node/configmap.go,
 * secrets.go, lease.go, podtemplates.go; common/storage immutability; instrumentation/core_events.go
 * and events.go; scheduling/limit_range.go's collection test): lifecycles, empty keys refused,
 * immutable ConfigMaps and Secrets, Leases, PodTemplates, core and events.k8s.io Events, LimitRanges.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

const NS = 'cf-core-apis';
let env: ClientEnv;
let client: KubeClient;

before(async () => {
  env = await startClientEnv({ namespace: NS });
  client = env.client;
});
after(() => env.stop());

const rejects = async (p: Promise<unknown>, code: number, text?: string): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof StatusError && e.status.code === code && (!text || e.message.includes(text)));
};
const names = (items: KubeObject[]) => items.map((o) => o.metadata.name).sort();

test('[sig-node] ConfigMap should run through a ConfigMap lifecycle [Conformance]', async () => {
  const cms = client.configMaps(NS);
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-cm-lifecycle', labels: { 'test-configmap-static': 'true' } }, data: { valueName: 'value' } });
  assert.equal((await cms.get('e2e-cm-lifecycle')).data?.valueName, 'value');
  const patched = await cms.patch('e2e-cm-lifecycle', 'strategic', { metadata: { labels: { 'test-configmap': 'patched' } }, data: { valueName: 'value1' } });
  assert.equal(patched.data?.valueName, 'value1');
  const all = await client.configMaps().list({ labelSelector: 'test-configmap-static=true' });
  assert.ok(all.items.some((c) => c.metadata.name === 'e2e-cm-lifecycle' && c.data?.valueName === 'value1' && c.metadata.labels?.['test-configmap'] === 'patched'));
  await cms.deleteCollection({ labelSelector: 'test-configmap-static=true' });
  assert.deepEqual((await cms.list({ labelSelector: 'test-configmap-static=true' })).items, []);
});

test('[sig-node] ConfigMap should fail to create ConfigMap with empty key [Conformance]', async () => {
  await rejects(client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'configmap-test-emptykey' }, data: { '': 'value-1' } }), 422, 'data[]');
});

test('[sig-node] ConfigMap should update ConfigMap successfully', async () => {
  const cms = client.configMaps(NS);
  const cm = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'configmap-test-upd' }, data: { 'data-1': 'value-1' } });
  await cms.update({ ...cm, data: { ...cm.data, 'data-1': 'value-2', 'data-2': 'value-2' } });
  assert.deepEqual((await cms.get('configmap-test-upd')).data, { 'data-1': 'value-2', 'data-2': 'value-2' });
});

test('[sig-node] Secrets should fail to create secret due to empty secret key [Conformance]', async () => {
  await rejects(client.secrets(NS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secret-emptykey-test' }, data: { '': Buffer.from('value-1').toString('base64') } }), 422, 'data[]');
});

test('[sig-node] Secrets should patch a secret [Conformance]', async () => {
  const secrets = client.secrets(NS);
  await secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e2e-secret-patch', labels: { testsecret: 'true' } }, data: { key: Buffer.from('value').toString('base64') } });
  const all = await client.secrets().list({ labelSelector: 'testsecret=true' });
  assert.deepEqual(names(all.items), ['e2e-secret-patch']);
  const patched = await secrets.patch('e2e-secret-patch', 'strategic', { metadata: { labels: { testsecret: 'true' } }, data: { key: Buffer.from('value1').toString('base64') } });
  assert.equal(Buffer.from(patched.data!.key!, 'base64').toString(), 'value1');
  await secrets.deleteCollection({ labelSelector: 'testsecret=true' });
  assert.deepEqual((await secrets.list({ labelSelector: 'testsecret=true' })).items, []);
});

for (const [kind, field] of [['ConfigMap', 'data'], ['Secret', 'data']] as const) {
  test(`[sig-storage] ${kind === 'ConfigMap' ? 'ConfigMap' : 'Secrets'} should be immutable if \`immutable\` field is set [Conformance]`, async () => {
    const rc = kind === 'ConfigMap' ? client.configMaps(NS) : client.secrets(NS);
    const name = `immutable-${kind.toLowerCase()}`;
    const v = (s: string) => (kind === 'Secret' ? Buffer.from(s).toString('base64') : s);
    await rc.create({ apiVersion: 'v1', kind, metadata: { name }, [field]: { data: v('value') } } as KubeObject);
    // Mutable still: data changes, then immutable is set.
    await rc.patch(name, 'merge', { [field]: { data: v('value-2') } });
    await rc.patch(name, 'merge', { immutable: true });
    await rejects(rc.patch(name, 'merge', { [field]: { data: v('value-3') } }), 422, 'field is immutable when `immutable` is set');
    await rejects(rc.patch(name, 'merge', { immutable: false }), 422, 'field is immutable when `immutable` is set');
    // Metadata still changes, and the object can be deleted.
    const labelled = await rc.patch(name, 'merge', { metadata: { labels: { label1: 'value1' } } });
    assert.equal(labelled.metadata.labels?.label1, 'value1');
    await rc.delete(name);
    await rejects(rc.get(name), 404);
  });
}

test('[sig-node] Lease lease API should be available [Conformance]', async () => {
  const leases = client.leases(NS);
  const spec = { holderIdentity: 'holder', leaseDurationSeconds: 30, acquireTime: '2024-01-01T00:00:00.000000Z', renewTime: '2024-01-01T00:00:01.000000Z', leaseTransitions: 0 };
  await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lease' }, spec });
  const got = await leases.get('lease');
  assert.deepEqual(got.spec, spec);
  const newSpec = { ...spec, holderIdentity: 'holder2', renewTime: '2024-01-01T00:00:05.000000Z', leaseTransitions: 1 };
  await leases.update({ ...got, spec: newSpec });
  assert.deepEqual((await leases.get('lease')).spec, newSpec);
  const patched = await leases.patch('lease', 'strategic', { spec: { holderIdentity: 'holder3', leaseTransitions: 2 } });
  assert.equal(patched.spec?.holderIdentity, 'holder3');
  assert.equal(patched.spec?.leaseTransitions, 2);
  await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lease2', labels: { deletecollection: 'true' } }, spec });
  assert.ok((await client.leases().list()).items.some((l) => l.metadata.name === 'lease2'), 'listed across namespaces');
  await leases.deleteCollection({ labelSelector: 'deletecollection=true' });
  assert.deepEqual(names((await leases.list()).items), ['lease']);
  await leases.delete('lease');
  await rejects(leases.get('lease'), 404);
});

const podTemplate = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'PodTemplate', metadata: { name, labels },
  template: { metadata: { labels: { 'podtemplate-static': 'true' } }, spec: { containers: [{ name: 'token-test', image: 'nginx' }] } },
} as KubeObject);

test('[sig-node] PodTemplates should run the lifecycle of PodTemplates [Conformance]', async () => {
  const pts = client.resource(resources.podtemplates, NS);
  await pts.create(podTemplate('nginx-pod-template', { 'podtemplate-static': 'true' }));
  assert.ok((await pts.list({ labelSelector: 'podtemplate-static=true' })).items.length === 1);
  const patched = await pts.patch('nginx-pod-template', 'strategic', { metadata: { labels: { podtemplate: 'patched' } } });
  assert.equal(patched.metadata.labels?.podtemplate, 'patched');
  await pts.delete('nginx-pod-template');
  assert.deepEqual((await pts.list({ labelSelector: 'podtemplate-static=true' })).items, []);
});

test('[sig-node] PodTemplates should delete a collection of pod templates [Conformance]', async () => {
  const pts = client.resource(resources.podtemplates, NS);
  for (const n of ['test-podtemplate-1', 'test-podtemplate-2', 'test-podtemplate-3']) await pts.create(podTemplate(n, { 'podtemplate-set': 'true' }));
  assert.equal((await pts.list({ labelSelector: 'podtemplate-set=true' })).items.length, 3);
  await pts.deleteCollection({ labelSelector: 'podtemplate-set=true' });
  assert.deepEqual((await pts.list({ labelSelector: 'podtemplate-set=true' })).items, []);
});

test('[sig-node] PodTemplates should replace a pod template [Conformance]', async () => {
  const pts = client.resource<KubeObject & { template: { spec: { terminationGracePeriodSeconds?: number } } }>(resources.podtemplates, NS);
  const created = await pts.create(podTemplate('podtemplate-replace') as KubeObject & { template: { spec: object } });
  const replaced = await pts.update({ ...created, template: { ...created.template, spec: { ...created.template.spec, terminationGracePeriodSeconds: 1 } } });
  assert.equal(replaced.template.spec.terminationGracePeriodSeconds, 1);
  assert.equal((await pts.get('podtemplate-replace')).template.spec.terminationGracePeriodSeconds, 1);
});

const coreEvent = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name, labels },
  involvedObject: { kind: 'Pod', namespace: NS, name: 'test-pod' }, reason: 'Test', message: 'This is a test event', type: 'Normal',
  count: 1, source: { component: 'e2e-test' }, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:00:00Z',
} as KubeObject);

test('[sig-instrumentation] Events should manage the lifecycle of an event [Conformance]', async () => {
  const events = client.events(NS);
  await events.create(coreEvent('event-test', { testevent: 'true' }) as never);
  assert.ok((await client.events().list({ labelSelector: 'testevent=true' })).items.some((e) => e.metadata.name === 'event-test'));
  await events.patch('event-test', 'strategic', { message: 'This is a test event - patched' });
  const got = await events.get('event-test');
  assert.equal(got.message, 'This is a test event - patched');
  const updated = await events.update({ ...got, series: { count: 100, lastObservedTime: '2024-01-01T00:00:10.000000Z' } } as never);
  assert.equal((updated as unknown as { series?: { count: number } }).series?.count, 100);
  await events.delete('event-test');
  assert.ok(!(await client.events().list({ labelSelector: 'testevent=true' })).items.some((e) => e.metadata.name === 'event-test'));
});

test('[sig-instrumentation] Events should delete a collection of events [Conformance]', async () => {
  const events = client.events(NS);
  for (const n of ['test-event-1', 'test-event-2', 'test-event-3']) await events.create(coreEvent(n, { 'testevent-set': 'true' }) as never);
  assert.equal((await events.list({ labelSelector: 'testevent-set=true' })).items.length, 3);
  await events.deleteCollection({ labelSelector: 'testevent-set=true' });
  assert.deepEqual((await events.list({ labelSelector: 'testevent-set=true' })).items, []);
});

const v1Event = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name, labels },
  eventTime: '2024-01-01T00:00:00.000000Z', reportingController: 'test-controller', reportingInstance: 'test-node',
  regarding: { kind: 'Pod', namespace: NS, name: 'test-pod' }, reason: 'Test', action: 'Do', type: 'Normal', note: 'This is a test event',
} as KubeObject);

test('[sig-instrumentation] Events API should ensure that an event can be fetched, patched, deleted, and listed [Conformance]', async () => {
  const events = client.resource<KubeObject>(resources.eventsV1, NS);
  await events.create(v1Event('event-test', { 'events-v1-test': 'true' }));
  assert.equal((await events.get('event-test') as KubeObject & { note?: string }).note, 'This is a test event');
  assert.ok((await client.resource<KubeObject>(resources.eventsV1).list({ labelSelector: 'events-v1-test=true' })).items.some((e) => e.metadata.name === 'event-test'));
  const patched = await events.patch('event-test', 'merge', { note: 'This is a test event - patched' }) as KubeObject & { note?: string };
  assert.equal(patched.note, 'This is a test event - patched');
  const cur = await events.get('event-test');
  const updated = await events.update({ ...cur, series: { count: 100, lastObservedTime: '2024-01-01T00:00:10.000000Z' } } as KubeObject) as KubeObject & { series?: { count: number } };
  assert.equal(updated.series?.count, 100);
  // The same event through the core API.
  assert.equal((await client.events(NS).get('event-test')).message, 'This is a test event - patched');
  await events.delete('event-test');
  await rejects(events.get('event-test'), 404);
});

test('[sig-instrumentation] Events API should delete a collection of events [Conformance]', async () => {
  const events = client.resource<KubeObject>(resources.eventsV1, NS);
  for (const n of ['test-v1-event-1', 'test-v1-event-2', 'test-v1-event-3']) await events.create(v1Event(n, { 'events-v1-set': 'true' }));
  assert.equal((await events.list({ labelSelector: 'events-v1-set=true' })).items.length, 3);
  await events.deleteCollection({ labelSelector: 'events-v1-set=true' });
  assert.deepEqual((await events.list({ labelSelector: 'events-v1-set=true' })).items, []);
});

test('[sig-scheduling] LimitRange should list, patch and delete a LimitRange by collection [Conformance]', async () => {
  const lrs = client.resource(resources.limitranges, NS);
  const limits = [{ type: 'Container', min: { cpu: '100m', memory: '10Mi' }, max: { cpu: '500m', memory: '500Mi' }, defaultRequest: { cpu: '100m', memory: '10Mi' }, default: { cpu: '500m', memory: '500Mi' }, maxLimitRequestRatio: {} }];
  await lrs.create({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'e2e-limitrange', labels: { 'e2e-test': 'true' } }, spec: { limits } } as KubeObject);
  const all = await client.resource(resources.limitranges).list({ labelSelector: 'e2e-test=true' });
  assert.deepEqual(names(all.items), ['e2e-limitrange']);
  const patched = await lrs.patch('e2e-limitrange', 'strategic', { metadata: { labels: { 'e2e-test': 'true', patched: 'true' } }, spec: { limits: [{ ...limits[0], defaultRequest: { cpu: '200m', memory: '20Mi' } }] } }) as KubeObject & { spec: { limits: { defaultRequest: Record<string, string> }[] } };
  assert.equal(patched.metadata.labels?.patched, 'true');
  assert.deepEqual(patched.spec.limits[0]!.defaultRequest, { cpu: '200m', memory: '20Mi' });
  await lrs.deleteCollection({ labelSelector: 'e2e-test=true' });
  assert.deepEqual((await lrs.list({ labelSelector: 'e2e-test=true' })).items, []);
});

test('[sig-scheduling] LimitRange should create a LimitRange with defaults and ensure pod has those defaults applied. [Conformance]', async () => {
  const ns = 'cf-limitrange';
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const rl = (cpu: string, memory: string, eph: string) => Object.fromEntries(Object.entries({ cpu, memory, 'ephemeral-storage': eph }).filter(([, v]) => v));
  const lrs = client.resource(resources.limitranges, ns);
  const limit = { type: 'Container', min: rl('50m', '100Mi', '100Gi'), max: rl('500m', '500Mi', '500Gi'), default: rl('500m', '500Mi', '500Gi'), defaultRequest: rl('100m', '200Mi', '200Gi'), maxLimitRequestRatio: {} };
  await lrs.create({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limit-range' }, spec: { limits: [limit] } } as KubeObject);
  const pod = (name: string, requests: Record<string, string>, limits: Record<string, string>) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests, limits } }] },
  }) as KubeObject;
  const resourcesOf = (p: KubeObject) => (p as KubeObject & { spec: { containers: { resources: unknown }[] } }).spec.containers[0]!.resources;
  // No resources: the LimitRange's default request and limit.
  const none = await client.pods(ns).create(pod('pod-no-resources', {}, {}));
  assert.deepEqual(resourcesOf(none), { requests: rl('100m', '200Mi', '200Gi'), limits: rl('500m', '500Mi', '500Gi') });
  // Partial: what the pod gives, defaults for the rest.
  const partial = await client.pods(ns).create(pod('pod-partial-resources', rl('300m', '150Mi', '150Gi'), rl('300m', '', '')));
  assert.deepEqual(resourcesOf(partial), { requests: rl('300m', '150Mi', '150Gi'), limits: rl('300m', '500Mi', '500Gi') });
  // Over max, refused.
  await rejects(client.pods(ns).create(pod('pod-over-max', {}, rl('600m', '', ''))), 403, 'maximum cpu usage per Container is 500m');
  await rejects(client.pods(ns).create(pod('pod-over-max-storage', {}, rl('', '', '600Gi'))), 403, 'maximum ephemeral-storage usage per Container is 500Gi');
  // A lower min takes effect: a pod under the former min is admitted.
  const cur = await lrs.get('limit-range') as KubeObject & { spec: { limits: Record<string, unknown>[] } };
  cur.spec.limits[0]!.min = rl('9m', '49Mi', '49Gi');
  await lrs.update(cur);
  await eventually(() => client.pods(ns).create(pod(`pod-under-former-min-${Date.now()}`, rl('10m', '50Mi', '50Gi'), rl('500m', '500Mi', '500Gi'))).then(() => true, () => false), 'the lower min in effect');
  // Deleted: a pod over the former max is admitted.
  await lrs.delete('limit-range');
  await eventually(() => client.pods(ns).create(pod(`pod-over-former-max-${Date.now()}`, rl('600m', '600Mi', '600Gi'), rl('600m', '600Mi', '600Gi'))).then(() => true, () => false), 'the LimitRange gone');
});
