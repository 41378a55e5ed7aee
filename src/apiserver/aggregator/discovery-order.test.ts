/**
 * Discovery ordered by the APIServices' priorities, as upstream: /apis as kube-aggregator's
 * apisHandler (apiregistration/v1/helper SortedByGroupAndVersion: groupPriorityMinimum, highest
 * first, then APIService name; versions by versionPriority, then kube-aware version order, the first
 * preferred) and the aggregated document as apiserver's discovery/aggregated handler (a group's
 * highest groupPriorityMinimum, then group name). What it changes for the real kubectl: a resource
 * name two groups serve resolves to the group discovery lists first, so raising an extension's
 * groupPriorityMinimum over a CRD group's 1000 makes `kubectl get flights` reach the extension.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { startRegisteredExtension, type TestExtensionServer } from './testing/extension-server.js';

const NS = 'agg-order-5813';
const EXT_GROUP = 'flights.order-test.example.com';
const CRD_GROUP = 'crd.order-test.example.com';
const APISERVICE = `v1alpha1.${EXT_GROUP}`;
/** kube-apiserver v1.32's built-in groups in its /apis order (DefaultGenericAPIServicePriorities), those Bosun serves. */
const UPSTREAM_ORDER = ['apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io'];

describe('discovery ordered by APIService priority (groupPriorityMinimum, versionPriority)', () => {
  let s: TestServer & { server: ApiServer };
  let ext: TestExtensionServer;
  let caches: string;
  let step = 0;
  /** kubectl with a cache of its own: kubectl keeps discovery for 6 hours, and each step must see the new order. */
  const freshKubectl = (args: string[]) => s.kubectl([...args, '--cache-dir', join(caches, `step-${++step}`)]);
  const aggregated = (): Promise<{ items: { metadata: { name: string }; versions: { version: string }[] }[] }> => new Promise((resolve, reject) => {
    const admin = s.server.pki.admin;
    const req = request(`${s.url}/apis`, { ca: s.server.pki.ca.cert, cert: admin.cert, key: admin.key, headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(JSON.parse(body) as never));
    });
    req.on('error', reject);
    req.end();
  });
  const legacyGroups = async (): Promise<{ name: string; versions: { version: string }[]; preferredVersion: { version: string } }[]> =>
    (JSON.parse(await kubectlOk(s, ['get', '--raw', '/apis'])) as { groups: never[] }).groups;

  before(async () => {
    caches = mkdtempSync(join(tmpdir(), 'bosun-agg-order-'));
    s = await startTestServer();
    ext = await startRegisteredExtension(s, {
      group: EXT_GROUP, version: 'v1alpha1', namespace: NS, service: 'ext-api',
      resources: [{ name: 'flights', singularName: 'flight', namespaced: true, kind: 'Flight', verbs: ['get', 'list'] }],
      answer: (path) => path === `/apis/${EXT_GROUP}/v1alpha1/namespaces/${NS}/flights`
        ? { body: { kind: 'FlightList', apiVersion: `${EXT_GROUP}/v1alpha1`, metadata: { resourceVersion: '1' }, items: [{ apiVersion: `${EXT_GROUP}/v1alpha1`, kind: 'Flight', metadata: { name: 'ext-flight', namespace: NS } }] } }
        : undefined,
    });
    // A CRD serving the same resource name in a group of the same priority (1000, crdregistration_controller.go).
    await kubectlOk(s, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `flights.${CRD_GROUP}` }, spec: {
      group: CRD_GROUP, scope: 'Namespaced', names: { plural: 'flights', singular: 'flight', kind: 'Flight' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    } }) });
    await eventually(async () => (await s.kubectl(['get', 'apiservice', `v1.${CRD_GROUP}`])).code === 0, 'the CRD group\'s APIService');
    await eventually(async () => (await kubectlOk(s, ['get', 'apiservice', APISERVICE])).includes('True'), 'the extension Available');
    await eventually(async () => (await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: `${CRD_GROUP}/v1`, kind: 'Flight', metadata: { name: 'crd-flight', namespace: NS } }) })).code === 0, 'a CRD flight');
  });
  after(async () => {
    await ext?.close();
    await s?.stop();
    if (caches) rmSync(caches, { recursive: true, force: true });
  });

  test('/apis and the aggregated document list the built-in groups in kube-apiserver\'s order; autoscaling prefers v2 (versionPriority 30 over 15)', async () => {
    const legacy = await legacyGroups();
    assert.deepEqual(legacy.map((g) => g.name).filter((n) => UPSTREAM_ORDER.includes(n)), UPSTREAM_ORDER.filter((n) => legacy.some((g) => g.name === n)));
    assert.equal(legacy[0]?.name, 'apiregistration.k8s.io');
    const autoscaling = legacy.find((g) => g.name === 'autoscaling')!;
    assert.deepEqual([autoscaling.versions.map((v) => v.version), autoscaling.preferredVersion.version], [['v2', 'v1'], 'v2']);
    const agg = await aggregated();
    assert.deepEqual(agg.items.map((g) => g.metadata.name), legacy.map((g) => g.name), 'the same order in both documents');
    assert.deepEqual(agg.items.find((g) => g.metadata.name === 'autoscaling')?.versions.map((v) => v.version), ['v2', 'v1']);
    // Equal priorities (1000): the CRD group first (APIService name v1.crd... before v1alpha1.flights...; group name in the aggregated document).
    const names = legacy.map((g) => g.name);
    assert.ok(names.indexOf(CRD_GROUP) < names.indexOf(EXT_GROUP) && names.indexOf(EXT_GROUP) < names.indexOf('metrics.k8s.io'), names.join(' '));
    assert.equal((await freshKubectl(['get', 'flights', '-n', NS, '-o', 'name'])).stdout.trim(), `flight.${CRD_GROUP}/crd-flight`);
  });

  test('raising the extension\'s groupPriorityMinimum puts its group first: kubectl get flights reaches the extension, and back', async () => {
    await kubectlOk(s, ['patch', 'apiservice', APISERVICE, '--type=merge', '-p', '{"spec":{"groupPriorityMinimum":17900}}']);
    await eventually(async () => (await legacyGroups()).map((g) => g.name).indexOf(EXT_GROUP) === 1, 'the extension group right after apiregistration.k8s.io');
    assert.deepEqual((await aggregated()).items.slice(0, 2).map((g) => g.metadata.name), ['apiregistration.k8s.io', EXT_GROUP]);
    assert.equal((await freshKubectl(['get', 'flights', '-n', NS, '-o', 'name'])).stdout.trim(), `flight.${EXT_GROUP}/ext-flight`);
    await kubectlOk(s, ['patch', 'apiservice', APISERVICE, '--type=merge', '-p', '{"spec":{"groupPriorityMinimum":900}}']);
    await eventually(async () => {
      const names = (await legacyGroups()).map((g) => g.name);
      return names.indexOf(CRD_GROUP) < names.indexOf(EXT_GROUP);
    }, 'the extension group after the CRD group');
    assert.equal((await freshKubectl(['get', 'flights', '-n', NS, '-o', 'name'])).stdout.trim(), `flight.${CRD_GROUP}/crd-flight`);
  });
});
