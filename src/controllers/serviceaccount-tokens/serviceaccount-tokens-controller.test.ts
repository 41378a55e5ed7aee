/**
 * The tokens controller against an in-process API server with the real kubectl (upstream
 * tokens_controller.go): a legacy token Secret asked for gets token, ca.crt and namespace, and its
 * token authenticates as the ServiceAccount; a Secret for a missing ServiceAccount, and the Secrets
 * of a deleted one, are deleted (and the token then refused); nothing is made on its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { addServiceAccountTokensController, type ServiceAccountTokenOptions } from './serviceaccount-tokens-controller.js';

const NS = `satc-${process.pid}`;
let env: ControllerEnv;
let sign: ServiceAccountTokenOptions['signLegacyToken'] | undefined;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    add: (mgr) => addServiceAccountTokensController(mgr, { signLegacyToken: (sa, name) => sign!(sa, name) }),
  });
  sign = env.ts.server.serviceAccountTokens.signLegacyToken;
});
after(() => env?.stop());

const secret = (name: string, sa: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name, annotations: { 'kubernetes.io/service-account.name': sa } },
});
const dataOf = async (name: string): Promise<Record<string, string> | undefined> => {
  const r = await env.ts.kubectl(['-n', NS, 'get', 'secret', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout).data : undefined;
};
/** The user a TokenReview finds for `token`, or its error. */
const review = async (token: string): Promise<{ username?: string; error?: string }> => {
  const out = await kubectlOk(env.ts, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) });
  const status = JSON.parse(out).status;
  return { username: status.user?.username, error: status.error };
};

test('a requested token Secret is filled in and its token authenticates as the ServiceAccount; deleting the ServiceAccount deletes it', async () => {
  await kubectlOk(env.ts, ['-n', NS, 'create', 'serviceaccount', 'builder']);
  assert.equal((await kubectlOk(env.ts, ['-n', NS, 'get', 'secrets', '-o', 'name'])).trim(), '', 'no Secret is made for a ServiceAccount on its own');
  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: secret('builder-token', 'builder') });
  const data = await eventually(async () => ((await dataOf('builder-token'))?.token ? dataOf('builder-token') : undefined), 'the token filled in');
  assert.equal(Buffer.from(data!.namespace!, 'base64').toString(), NS);
  assert.equal(Buffer.from(data!['ca.crt']!, 'base64').toString(), readFileSync(join(env.ts.dataDir, 'pki', 'ca.crt'), 'utf8'));
  const token = Buffer.from(data!.token!, 'base64').toString();
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  assert.equal(claims.iss, 'kubernetes/serviceaccount');
  assert.equal(claims.exp, undefined, 'legacy tokens do not expire');
  const uid = (await kubectlOk(env.ts, ['-n', NS, 'get', 'sa', 'builder', '-o', 'jsonpath={.metadata.uid}'])).trim();
  assert.equal((await kubectlOk(env.ts, ['-n', NS, 'get', 'secret', 'builder-token', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/service-account\\.uid}'])).trim(), uid);
  assert.equal((await review(token)).username, `system:serviceaccount:${NS}:builder`);

  await kubectlOk(env.ts, ['-n', NS, 'delete', 'serviceaccount', 'builder']);
  await eventually(async () => (await dataOf('builder-token')) === undefined, 'the token Secret deleted with its ServiceAccount');
  assert.match((await review(token)).error ?? '', /invalidated/);
});

test('a token Secret for a ServiceAccount that does not exist is deleted', async () => {
  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: secret('orphan-token', 'nobody') });
  await eventually(async () => (await dataOf('orphan-token')) === undefined, 'the orphan token Secret deleted');
});
