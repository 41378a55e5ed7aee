/**
 * Service account tokens on an in-process API server driven by the real kubectl: `kubectl create
 * token` with upstream's flags and claims (pkg/serviceaccount/claims.go), duration rules
 * (pkg/apis/authentication/validation), bound-object checks (registry/core/serviceaccount/storage/
 * token.go), the token as a credential (`kubectl auth whoami` with upstream's user, groups and
 * extra), TokenReview, issuer discovery, and the token refused once its pod is deleted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { RawClient } from '../../testing/raw-client.js';
import { resources } from '../../client/resource-ref.js';
import { runKubectl, startTestServer, type KubectlResult } from '../../testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../testing/token-kubeconfig.js';
import { refused, userClient } from '../../testing/user-client.js';
import { DEFAULT_ISSUER } from './service-account-tokens.js';

const NS = 'satok-ns';

const payloadOf = (jwt: string): any => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

describe('service account tokens', () => {
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  let raw: RawClient;
  let dir: string;
  let podUid: string;

  /** kubectl with a kubeconfig that holds only the CA and `token` (no client certificate). */
  const asToken = (token: string, args: string[]): Promise<KubectlResult> =>
    runKubectl(writeTokenKubeconfig(dir, srv.url, join(srv.dataDir, 'pki', 'ca.crt'), token), join(dir, 'cache'), args);

  before(async () => {
    srv = await startTestServer();
    raw = new RawClient(srv.url, srv.dataDir);
    dir = mkdtempSync(join(tmpdir(), 'bosun-satok-'));
    await kubectlOk(srv, ['create', 'namespace', NS]);
    await kubectlOk(srv, ['-n', NS, 'create', 'serviceaccount', 'robot']);
    await kubectlOk(srv, ['-n', NS, 'apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } }),
    });
    podUid = (await kubectlOk(srv, ['-n', NS, 'get', 'pod', 'p', '-o', 'jsonpath={.metadata.uid}'])).trim();
  });

  after(async () => {
    raw.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl create token: upstream claims for a pod-bound token with an audience and a duration', async () => {
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--duration', '10m', '--audience', 'x', '--bound-object-kind', 'Pod', '--bound-object-name', 'p'])).trim();
    const [header, claims] = [JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()), payloadOf(token)];
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
    const saUid = (await kubectlOk(srv, ['-n', NS, 'get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    assert.deepEqual(claims.aud, ['x']);
    assert.equal(claims.iss, DEFAULT_ISSUER);
    assert.equal(claims.sub, `system:serviceaccount:${NS}:robot`);
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal(claims.nbf, claims.iat);
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims['kubernetes.io'], { namespace: NS, serviceaccount: { name: 'robot', uid: saUid }, pod: { name: 'p', uid: podUid } });
  });

  test('the duration rules: default one hour, at least 10 minutes', async () => {
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot'])).trim();
    const c = payloadOf(token);
    assert.equal(c.exp - c.iat, 3600);
    assert.deepEqual(c.aud, [DEFAULT_ISSUER], 'the audience defaults to the API server\'s');
    const short = await srv.kubectl(['-n', NS, 'create', 'token', 'robot', '--duration', '5m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest\.authentication\.k8s\.io "robot" is invalid: spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
  });

  test('bound objects must exist, match the uid and run as the service account', async () => {
    const missing = await srv.kubectl(['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope']);
    assert.match(missing.stderr, /pods "nope" not found/);
    await kubectlOk(srv, ['-n', NS, 'create', 'serviceaccount', 'other']);
    const wrongSa = await srv.kubectl(['-n', NS, 'create', 'token', 'other', '--bound-object-kind', 'Pod', '--bound-object-name', 'p']);
    assert.match(wrongSa.stderr, /cannot bind token for serviceaccount "other" to pod running with serviceaccount "robot"/);
    const wrongUid = await srv.kubectl(['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p', '--bound-object-uid', 'x-y']);
    assert.match(wrongUid.stderr, /the UID in the bound object reference \(x-y\) does not match the UID in record/);
    const noSa = await srv.kubectl(['-n', NS, 'create', 'token', 'ghost']);
    assert.match(noSa.stderr, /serviceaccounts "ghost" not found/);
    await kubectlOk(srv, ['-n', NS, 'create', 'secret', 'generic', 'anchor', '--from-literal=k=v']);
    const secretUid = (await kubectlOk(srv, ['-n', NS, 'get', 'secret', 'anchor', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const bySecret = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor'])).trim();
    assert.deepEqual(payloadOf(bySecret)['kubernetes.io'].secret, { name: 'anchor', uid: secretUid });
    const review = (t: string) => kubectlOk(srv, ['create', '-o', 'jsonpath={.status.authenticated}', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: t } }) });
    assert.equal(await review(bySecret), 'true');
    await kubectlOk(srv, ['-n', NS, 'delete', 'secret', 'anchor']);
    assert.equal(await review(bySecret), '', 'a Secret-bound token dies with its Secret');
  });

  test('the token authenticates: whoami shows the user, groups and extra; TokenReview agrees; a foreign audience is 401', async () => {
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p'])).trim();
    const who = await asToken(token, ['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const info = JSON.parse(who.stdout).status.userInfo;
    const saUid = (await kubectlOk(srv, ['-n', NS, 'get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    assert.equal(info.username, `system:serviceaccount:${NS}:robot`);
    assert.equal(info.uid, saUid);
    assert.deepEqual(info.groups, ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']);
    assert.deepEqual(info.extra, {
      'authentication.kubernetes.io/pod-name': ['p'], 'authentication.kubernetes.io/pod-uid': [podUid],
      'authentication.kubernetes.io/credential-id': [`JTI=${payloadOf(token).jti}`],
    });
    const review = JSON.parse(await kubectlOk(srv, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) }));
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user.username, `system:serviceaccount:${NS}:robot`);
    assert.deepEqual(review.status.audiences, [DEFAULT_ISSUER]);
    const foreign = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--audience', 'vault'])).trim();
    const refused = await asToken(foreign, ['auth', 'whoami']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Unauthorized|must be logged in/);
    const forVault = JSON.parse(await kubectlOk(srv, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: foreign, audiences: ['vault'] } }) }));
    assert.equal(forVault.status.authenticated, true, 'a reviewer naming the token\'s audience accepts it');
    const garbage = await raw.send('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'a.b.c' } });
    assert.equal(garbage.status, 201);
    assert.equal(garbage.json.status.authenticated, undefined);
    assert.ok(garbage.json.status.error);
  });

  test('issuer discovery: the configuration and the JWKS that verifies the tokens', async () => {
    const conf = await raw.request('/.well-known/openid-configuration');
    assert.equal(conf.status, 200);
    assert.deepEqual(conf.json, {
      issuer: DEFAULT_ISSUER, jwks_uri: `${DEFAULT_ISSUER}/openid/v1/jwks`, response_types_supported: ['id_token'],
      subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await raw.request('/openid/v1/jwks');
    assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot'])).trim();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json), { issuer: DEFAULT_ISSUER });
    assert.equal(payload.sub, `system:serviceaccount:${NS}:robot`);
    // Anonymous clients are system:anonymous, which upstream's bootstrap policy does not grant issuer discovery.
    const anonymous = await raw.request('/openid/v1/jwks', { clientCert: false });
    assert.equal(anonymous.status, 403, anonymous.body);
    assert.equal(anonymous.json?.message, 'forbidden: User "system:anonymous" cannot get path "/openid/v1/jwks"');
    // Upstream's bootstrap policy binds system:service-account-issuer-discovery to system:serviceaccounts.
    const asRobot = await asToken(token, ['get', '--raw', '/openid/v1/jwks']);
    assert.equal(asRobot.code, 0, `a service account reads the JWKS: ${asRobot.stderr}`);
    assert.deepEqual(JSON.parse(asRobot.stdout), jwks.json);
    const confAsRobot = await asToken(token, ['get', '--raw', '/.well-known/openid-configuration']);
    assert.equal(confAsRobot.code, 0, confAsRobot.stderr);
    const jane = userClient(srv, 'jane', []);
    try {
      const denied = await refused(jane.raw('GET', '/openid/v1/jwks'));
      assert.equal(denied.code, 403, 'a user RBAC grants nothing is refused, as upstream (system:service-account-issuer-discovery is for service accounts)');
    } finally {
      jane.close();
    }
  });

  test('deleting the bound pod kills its token, at once even when it was cached', async () => {
    await kubectlOk(srv, ['-n', NS, 'apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'doomed' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } }),
    });
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'doomed'])).trim();
    for (let i = 0; i < 2; i++) assert.equal((await asToken(token, ['auth', 'whoami'])).code, 0, 'valid while the pod exists (second time from the cache)');
    await kubectlOk(srv, ['-n', NS, 'delete', 'pod', 'doomed', '--grace-period=0', '--force']);
    const after = await asToken(token, ['-n', NS, 'get', 'pods']);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized|must be logged in/);
    const review = JSON.parse(await kubectlOk(srv, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) }));
    assert.match(review.status.error, /invalidated/);
  });

  test('a node gets tokens only bound to its own pods (NodeRestriction admitServiceAccount)', async () => {
    const pod = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } });
    await kubectlOk(srv, ['-n', NS, 'apply', '-f', '-'], { input: pod('on-n1') });
    await kubectlOk(srv, ['-n', NS, 'apply', '-f', '-'], { input: pod('on-n2') });
    const admin = userClient(srv, 'system:admin', ['system:masters']);
    const n1 = userClient(srv, 'system:node:satok-n1', ['system:nodes']);
    const n3 = userClient(srv, 'system:node:satok-n3', ['system:nodes']);
    try {
      const node = await admin.create(resources.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'satok-n1' } }) as { metadata: { uid?: string } };
      await admin.resource(resources.pods, NS).bind('on-n1', 'satok-n1');
      await admin.resource(resources.pods, NS).bind('on-n2', 'satok-n2');
      const ask = (c: typeof n1, spec: object) => c.createSubresource<{ status: { token: string } }>(resources.serviceaccounts, NS, 'robot', 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
      const ok = await ask(n1, { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'on-n1' } });
      assert.deepEqual(payloadOf(ok.status.token)['kubernetes.io'].pod.name, 'on-n1');
      assert.deepEqual(payloadOf(ok.status.token)['kubernetes.io'].node, { name: 'satok-n1', uid: node.metadata.uid }, 'the pod\'s node rides along (ServiceAccountTokenPodNodeInfo)');
      const unbound = await refused(ask(n1, {}));
      assert.equal(unbound.code, 403);
      assert.equal(unbound.message, 'serviceaccounts "robot" is forbidden: node requested token not bound to a pod');
      const other = await refused(ask(n1, { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'on-n2' } }));
      assert.equal(other.message, 'serviceaccounts "robot" is forbidden: node requested token bound to a pod scheduled on a different node');
      const stranger = await refused(ask(n3, { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'on-n2' } }));
      assert.equal(stranger.code, 403, 'a node with no pod of this service account is refused by the node authorizer');
      assert.match(stranger.message, /no relationship found between node 'satok-n3' and this object/);
    } finally {
      admin.close();
      n1.close();
      n3.close();
    }
  });
});
