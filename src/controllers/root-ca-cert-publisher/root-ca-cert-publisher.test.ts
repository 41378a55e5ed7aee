/**
 * The root CA publisher through kubectl against an in-process API server: every namespace has
 * kube-root-ca.crt holding the cluster CA (DATA_DIR/pki/ca.crt) with upstream's description, and a
 * deleted or edited one is put back, as upstream's rootcacertpublisher.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { addRootCaCertPublisher, DESCRIPTION, DESCRIPTION_ANNOTATION, desiredRootCaConfigMap, ROOT_CA_CONFIGMAP } from './root-ca-cert-publisher.js';

const P = `rootca-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;
let clusterCa: string;

before(async () => {
  env = await startControllerEnv({ add: (mgr) => addRootCaCertPublisher(mgr) });
  clusterCa = readFileSync(join(env.ts.dataDir, 'pki', 'ca.crt'), 'utf8');
});
after(() => env?.stop());

const caIn = async (ns: string) => {
  const r = await env.ts.kubectl(['-n', ns, 'get', 'configmap', ROOT_CA_CONFIGMAP, '-o', 'jsonpath={.data.ca\\.crt}']);
  return r.code === 0 ? r.stdout : undefined;
};

test('desired: nothing to write when the CA and the description are there; otherwise both are set', () => {
  const fresh = desiredRootCaConfigMap(undefined, 'CA')!;
  assert.deepEqual(fresh.data, { 'ca.crt': 'CA' });
  assert.equal(fresh.metadata.annotations?.[DESCRIPTION_ANNOTATION], DESCRIPTION);
  assert.equal(desiredRootCaConfigMap(fresh, 'CA'), undefined);
  const extra = desiredRootCaConfigMap({ ...fresh, data: { 'ca.crt': 'CA', other: 'x' } }, 'CA')!;
  assert.deepEqual(extra.data, { 'ca.crt': 'CA' });
  const bare = desiredRootCaConfigMap({ ...fresh, metadata: { name: ROOT_CA_CONFIGMAP, labels: { keep: 'me' } } }, 'CA')!;
  assert.deepEqual(bare.metadata.labels, { keep: 'me' });
  assert.equal(bare.metadata.annotations?.[DESCRIPTION_ANNOTATION], DESCRIPTION);
});

test('a new namespace gets kube-root-ca.crt with the cluster CA; a deleted or edited one is put back', async () => {
  const ns = `${P}-a`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  assert.equal(await eventually(() => caIn(ns), 'kube-root-ca.crt in the new namespace'), clusterCa);
  assert.match(clusterCa, /^-----BEGIN CERTIFICATE-----/);
  assert.equal(await kubectlOk(env.ts, ['-n', ns, 'get', 'cm', ROOT_CA_CONFIGMAP, '-o', `jsonpath={.metadata.annotations.kubernetes\\.io/description}`]), DESCRIPTION);

  await kubectlOk(env.ts, ['-n', ns, 'patch', 'cm', ROOT_CA_CONFIGMAP, '--type=merge', '-p', '{"data":{"ca.crt":"tampered"}}']);
  await eventually(async () => (await caIn(ns)) === clusterCa, 'the CA restored after an edit');
  await kubectlOk(env.ts, ['-n', ns, 'delete', 'cm', ROOT_CA_CONFIGMAP]);
  await eventually(async () => (await caIn(ns)) === clusterCa, 'the ConfigMap recreated after a delete');
  assert.equal(await eventually(() => caIn('default'), 'kube-root-ca.crt in default'), clusterCa);
});
