/**
 * Upstream's ServiceAccounts conformance tests of the API (test/e2e/auth/service_accounts.go)
 * against a real API server with the serviceaccount and root-ca-cert-publisher controllers: a
 * ServiceAccount's lifecycle and update, a TokenRequest's token passing a TokenReview,
 * kube-root-ca.crt kept in every namespace, and OIDC issuer discovery. Upstream's discovery test
 * validates a projected token from inside a pod; this server has no nodes, so the same token is
 * verified here against the published JWKS with node:crypto.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createVerify, type JsonWebKey } from 'node:crypto';
import type { ConfigMap } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { addRootCaCertPublisher } from '../controllers/root-ca-cert-publisher/root-ca-cert-publisher.js';
import { addServiceAccountsController } from '../controllers/serviceaccounts/serviceaccounts-controller.js';
import { startControllerEnv, type ControllerEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';
import { RawClient } from '../testing/raw-client.js';

const NS = 'cf-svcaccounts';
let env: ControllerEnv;
let client: KubeClient;

before(async () => {
  env = await startControllerEnv({ namespace: NS, add: (mgr) => { addServiceAccountsController(mgr); addRootCaCertPublisher(mgr); } });
  client = env.client;
});
after(() => env.stop());

const sas = (ns = NS) => client.resource(resources.serviceaccounts, ns);
const gone = (p: Promise<unknown>) => p.then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e)));

/** A token for `sa` by TokenRequest (serviceaccounts/token), for `audiences`. */
async function tokenFor(sa: string, audiences: string[]): Promise<string> {
  const tr = await client.raw<{ status: { token: string } }>('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds: 3600 },
  });
  return tr.status.token;
}

test('[sig-auth] ServiceAccounts should run through the lifecycle of a ServiceAccount [Conformance]', async () => {
  const name = 'e2e-sa-lifecycle';
  await sas().create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, labels: { 'test-serviceaccount-static': 'true' } } } as KubeObject);
  const listed = await client.resource(resources.serviceaccounts).list({ labelSelector: 'test-serviceaccount-static=true' });
  assert.deepEqual(listed.items.map((s) => s.metadata.name), [name]);
  const patched = await sas().patch(name, 'strategic', { metadata: { labels: { 'test-serviceaccount': 'patched' } }, automountServiceAccountToken: false });
  assert.equal(patched.metadata.labels?.['test-serviceaccount'], 'patched');
  assert.equal((patched as KubeObject & { automountServiceAccountToken?: boolean }).automountServiceAccountToken, false);
  await sas().deleteCollection({ labelSelector: 'test-serviceaccount-static=true' });
  assert.ok(await gone(sas().get(name)));
});

test('[sig-auth] ServiceAccounts should update a ServiceAccount [Conformance]', async () => {
  const name = 'e2e-sa-update';
  await sas().create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } } as KubeObject);
  const cur = await sas().get(name);
  const updated = await sas().update({ ...cur, automountServiceAccountToken: true } as KubeObject);
  assert.equal((updated as KubeObject & { automountServiceAccountToken?: boolean }).automountServiceAccountToken, true);
  const patched = await sas().patch(name, 'merge', { automountServiceAccountToken: false });
  assert.equal((patched as KubeObject & { automountServiceAccountToken?: boolean }).automountServiceAccountToken, false);
});

test('[sig-auth] ServiceAccounts should create a serviceAccountToken and ensure a successful TokenReview', async () => {
  await eventually(() => sas().get('default').then(() => true, () => false), 'the default service account');
  const token = await tokenFor('default', []);
  const review = await client.raw<{ status: { authenticated?: boolean; user?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
  });
  assert.equal(review.status.authenticated, true);
  assert.equal(review.status.user?.username, `system:serviceaccount:${NS}:default`);
});

test('[sig-auth] ServiceAccounts should guarantee kube-root-ca.crt exist in any namespace [Conformance]', async () => {
  const cms = client.configMaps<ConfigMap>(NS);
  const present = () => eventually(() => cms.get('kube-root-ca.crt').then((c): ConfigMap | false => (c.data?.['ca.crt']?.includes('BEGIN CERTIFICATE') ? c : false), (): false => false), 'kube-root-ca.crt with the CA');
  const original = await present();
  // Deleted: published again.
  await cms.delete('kube-root-ca.crt');
  await present();
  // Changed: put back.
  const cur = await cms.get('kube-root-ca.crt');
  await cms.update({ ...cur, data: { different: 'data' } });
  await eventually(async () => (await cms.get('kube-root-ca.crt')).data?.['ca.crt'] === original.data?.['ca.crt'], 'kube-root-ca.crt reconciled');
});

test('[sig-auth] ServiceAccounts ServiceAccountIssuerDiscovery should support OIDC discovery of service account issuer [Conformance]', async () => {
  const discovery = await client.raw<{ issuer: string; jwks_uri: string; id_token_signing_alg_values_supported: string[] }>('GET', '/.well-known/openid-configuration');
  assert.ok(discovery.issuer, 'an issuer');
  assert.match(discovery.jwks_uri, /\/openid\/v1\/jwks$/);
  const jwks = await client.raw<{ keys: (JsonWebKey & { kid: string; alg: string })[] }>('GET', new URL(discovery.jwks_uri).pathname);
  // A token for the discovery audience, verified as an OIDC client would: its kid's key, its issuer.
  await eventually(() => sas().get('default').then(() => true, () => false), 'the default service account');
  const token = await tokenFor('default', ['oidc-discovery-test']);
  const [h, p, sig] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss: string; aud: string[]; sub: string };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the token\'s kid is published');
  assert.ok(discovery.id_token_signing_alg_values_supported.includes(header.alg));
  assert.equal(claims.iss, discovery.issuer);
  assert.deepEqual(claims.aud, ['oidc-discovery-test']);
  assert.equal(claims.sub, `system:serviceaccount:${NS}:default`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const algo = header.alg.startsWith('RS') ? `RSA-SHA${header.alg.slice(2)}` : `SHA${header.alg.slice(2)}`;
  const ok = createVerify(algo).update(`${h}.${p}`).verify(header.alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(sig, 'base64url'));
  assert.ok(ok, 'the token verifies against the published key');
  // As upstream, the test's service account is bound to system:service-account-issuer-discovery
  // and reads the discovery documents with its own token (upstream does so from a pod).
  await client.resource(resources.clusterrolebindings).create({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${NS}-system:service-account-issuer-discovery` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
  });
  const saToken = await tokenFor('default', []);
  for (const path of ['/.well-known/openid-configuration', '/openid/v1/jwks']) {
    assert.equal(await eventually(async () => {
      const status = await getWithToken(path, saToken);
      return status === 200 ? status : false;
    }, `${path} readable with the service account's token`), 200);
  }
});

async function getWithToken(path: string, token: string): Promise<number> {
  const raw = new RawClient(env.ts.url, env.ts.dataDir);
  try {
    return (await raw.request(path, { clientCert: false, headers: { Authorization: `Bearer ${token}` } })).status;
  } finally {
    raw.close();
  }
}
