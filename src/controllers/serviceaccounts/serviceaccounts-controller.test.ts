/**
 * Every namespace's `default` ServiceAccount (serviceaccounts controller) and the ServiceAccount
 * admission on pod create (apiserver/admission/service-account.ts), through kubectl against an
 * in-process API server, as upstream: a new namespace gets `default`, a deleted `default` comes back,
 * a pod naming none runs as `default` (spec.serviceAccountName and the deprecated spec.serviceAccount),
 * the deprecated field alone is honoured, and a pod naming a missing ServiceAccount is refused with 403.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { addServiceAccountsController } from './serviceaccounts-controller.js';

const P = `sa-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;

before(async () => {
  env = await startControllerEnv({ add: (mgr) => addServiceAccountsController(mgr) });
});
after(() => env?.stop());

const hasDefault = async (ns: string) => (await env.ts.kubectl(['-n', ns, 'get', 'serviceaccount', 'default', '-o', 'name'])).stdout.trim() === 'serviceaccount/default';

test('a new namespace gets the default ServiceAccount, and gets it back when it is deleted', async () => {
  const ns = `${P}-a`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await eventually(() => hasDefault(ns), 'serviceaccount default in the new namespace');
  const uid = await kubectlOk(env.ts, ['-n', ns, 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}']);
  await kubectlOk(env.ts, ['-n', ns, 'delete', 'sa', 'default']);
  const again = await eventually(async () => {
    const r = await env.ts.kubectl(['-n', ns, 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}']);
    return r.code === 0 && r.stdout !== uid ? r.stdout : undefined;
  }, 'a new default ServiceAccount');
  assert.ok(again);
  // The namespaces the API server makes at start have one too.
  await eventually(() => hasDefault('kube-system'), 'serviceaccount default in kube-system');
  await eventually(() => hasDefault('default'), 'serviceaccount default in default');
});

test('pods run as the default ServiceAccount unless they name one; the deprecated field is an alias', async () => {
  const ns = `${P}-b`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await eventually(() => hasDefault(ns), 'serviceaccount default');
  await kubectlOk(env.ts, ['-n', ns, 'run', 'plain', '--image=busybox']);
  assert.equal(await kubectlOk(env.ts, ['-n', ns, 'get', 'pod', 'plain', '-o', 'jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}']), 'default/default');

  await kubectlOk(env.ts, ['-n', ns, 'create', 'serviceaccount', 'builder']);
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'old-style' }, spec: { serviceAccount: 'builder', containers: [{ name: 'c', image: 'busybox' }] } }),
  });
  assert.equal(await kubectlOk(env.ts, ['-n', ns, 'get', 'pod', 'old-style', '-o', 'jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}']), 'builder/builder');
  // As upstream's v1 conversion, every PodSpec (templates too) shows the two fields alike.
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { serviceAccount: 'builder', containers: [{ name: 'c', image: 'busybox' }] } } },
    }),
  });
  assert.equal(await kubectlOk(env.ts, ['-n', ns, 'get', 'deploy', 'd', '-o', 'jsonpath={.spec.template.spec.serviceAccountName}/{.spec.template.spec.serviceAccount}']), 'builder/builder');
});

test('a pod naming a ServiceAccount that does not exist is refused (403), as upstream admission', async () => {
  const ns = `${P}-c`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  const r = await env.ts.kubectl(['-n', ns, 'run', 'lost', '--image=busybox', '--overrides={"spec":{"serviceAccountName":"nope"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`pods "lost" is forbidden: error looking up service account ${ns}/nope: serviceaccount "nope" not found`));
  const get = await env.ts.kubectl(['-n', ns, 'get', 'pod', 'lost']);
  assert.notEqual(get.code, 0, 'nothing was written');
});
