/**
 * The namespace controller against an in-process API server: deleting a namespace with content
 * empties it and the namespace disappears; while a pod's finalizer holds content, the namespace
 * stays Terminating and reports what remains with upstream's conditions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import type { TestServer } from '../../testing/test-cluster.js';
import { mergeConditions, namespaceConditions } from './conditions.js';
import { addNamespaceController } from './namespace-controller.js';

const P = `nsc-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;
let ts: TestServer;
let client: KubeClient;

before(async () => {
  env = await startControllerEnv({ add: (mgr) => addNamespaceController(mgr, { recheckMs: 100 }) });
  ({ ts, client } = env);
});
after(() => env?.stop());

const gone = (ns: string) => client.namespaces().get(ns).then(() => false, (e) => (isNotFound(e) ? true : Promise.reject(e)));

test('conditions: remaining content and finalizers are described as upstream does', () => {
  const conds = namespaceConditions({ remaining: new Map([['replicasets.apps', 1], ['pods', 2]]), finalizers: new Map([['example.com/hold', 1]]), failures: new Map() });
  const byType = Object.fromEntries(conds.map((c) => [c.type, c]));
  assert.equal(byType.NamespaceContentRemaining!.message, 'Some resources are remaining: pods has 2 resource instances, replicasets.apps has 1 resource instances');
  assert.equal(byType.NamespaceFinalizersRemaining!.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
  const merged = mergeConditions([], conds, 't1')!;
  assert.equal(mergeConditions(merged, conds, 't2'), undefined, 'no change, no write');
});

test('deleting a namespace deletes its content, then the namespace', async () => {
  const ns = `${P}-a`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < 3; i++) {
    await client.configMaps(ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } });
  }
  await client.secrets(ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: {} });
  await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await client.deployments(ns).create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });

  await client.namespaces().delete(ns);
  await eventually(() => gone(ns), 'the namespace to disappear');
  // Recreating the name gives an empty namespace: nothing survived.
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  assert.equal((await client.configMaps(ns).list()).items.length, 0);
  assert.equal((await client.pods(ns).list()).items.length, 0);
  assert.equal((await client.deployments(ns).list()).items.length, 0);
  await client.namespaces().delete(ns);
  await eventually(() => gone(ns), 'the recreated namespace to disappear');
});

test('content held by a finalizer keeps the namespace Terminating, with conditions, until released', async () => {
  const ns = `${P}-b`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.configMaps(ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  await client.namespaces().delete(ns);

  const terminating = await eventually(async () => {
    const cur = await client.namespaces<Namespace>().get(ns);
    const c = cur.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining');
    return c?.status === 'True' ? cur : undefined;
  }, 'NamespaceFinalizersRemaining=True');
  assert.equal(terminating.status?.phase, 'Terminating');
  const remaining = terminating.status!.conditions!.find((x) => x.type === 'NamespaceContentRemaining')!;
  assert.equal(remaining.message, 'Some resources are remaining: configmaps has 1 resource instances');
  assert.deepEqual(terminating.spec?.finalizers, ['kubernetes']);

  const cm = await client.configMaps(ns).get('held');
  await client.configMaps(ns).update({ ...cm, metadata: { ...cm.metadata, finalizers: [] } } as KubeObject);
  await eventually(() => gone(ns), 'the namespace to disappear once released');
});

test('kubectl delete namespace waits until the namespace and its content are gone', async () => {
  const ns = `${P}-k`;
  assert.equal((await ts.kubectl(['create', 'namespace', ns])).code, 0);
  assert.equal((await ts.kubectl(['-n', ns, 'create', 'configmap', 'c1', '--from-literal=a=b'])).code, 0);
  const del = await ts.kubectl(['delete', 'namespace', ns, '--timeout=20s']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout.trim(), `namespace "${ns}" deleted`);
  const get = await ts.kubectl(['get', 'namespace', ns]);
  assert.notEqual(get.code, 0);
  assert.match(get.stderr, /NotFound/);
});
