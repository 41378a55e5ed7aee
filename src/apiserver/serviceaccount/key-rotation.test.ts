/**
 * Rotating the data dir's service account signing key (`bosun rotate-sa-key`, signing-key.ts) on
 * an in-process server restarted on the same data dir, with the real kubectl: tokens issued before
 * the rotation (a pod-bound TokenRequest token and a legacy Secret token) still authenticate after
 * the restart, new tokens carry the new key id, issuer discovery lists both keys, and once the
 * previous key is removed the old tokens are 401 while the new ones work. As upstream's
 * pkg/serviceaccount/jwt.go: the token's kid picks the key, and a kid no key has is "invalid
 * signature, no keys found".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { rotateSaKey } from '../../cli/commands/rotate-sa-key.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { RawClient } from '../../testing/raw-client.js';
import { runKubectl, startTestServer } from '../../testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../testing/token-kubeconfig.js';
import { DEFAULT_ISSUER } from './service-account-tokens.js';

const NS = 'sarot-ns';
const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid;

describe('service account signing key rotation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-sarot-'));
  const scratch = mkdtempSync(join(tmpdir(), 'bosun-sarot-kc-'));
  let srv: Awaited<ReturnType<typeof startTestServer>> | undefined;
  let bound = '';
  let legacy = '';
  let oldKid = '';

  const start = async (): Promise<NonNullable<typeof srv>> => (srv = await startTestServer({ dataDir, store: 'sqlite' }));
  const restart = async (): Promise<NonNullable<typeof srv>> => {
    await srv?.stop();
    return start();
  };
  /** `kubectl auth whoami` with only `token` as credential: the username, or the failure. */
  const whoami = async (token: string): Promise<string> => {
    const r = await runKubectl(writeTokenKubeconfig(scratch, srv!.url, join(dataDir, 'pki', 'ca.crt'), token), join(scratch, 'cache'), ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    return r.code === 0 ? r.stdout.trim() : `failed: ${r.stderr}`;
  };
  const review = async (token: string): Promise<{ authenticated?: boolean; error?: string }> =>
    JSON.parse(await kubectlOk(srv!, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) })).status;
  const discovery = async (): Promise<{ jwks: { keys: Array<{ kid: string; alg: string }> }; config: { id_token_signing_alg_values_supported: string[] } }> => {
    const raw = new RawClient(srv!.url, dataDir);
    try {
      return { jwks: (await raw.request('/openid/v1/jwks')).json, config: (await raw.request('/.well-known/openid-configuration')).json };
    } finally {
      raw.close();
    }
  };
  const robot = `system:serviceaccount:${NS}:robot`;

  before(async () => {
    await start();
    await kubectlOk(srv!, ['create', 'namespace', NS]);
    await kubectlOk(srv!, ['-n', NS, 'create', 'serviceaccount', 'robot']);
    await kubectlOk(srv!, ['-n', NS, 'apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } }),
    });
    bound = (await kubectlOk(srv!, ['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p'])).trim();
    // A legacy token Secret as the tokens controller fills it in (signed by the server's signLegacyToken).
    const saUid = (await kubectlOk(srv!, ['-n', NS, 'get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    legacy = await srv!.server.serviceAccountTokens.signLegacyToken({ namespace: NS, name: 'robot', uid: saUid }, 'robot-token');
    await kubectlOk(srv!, ['-n', NS, 'apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(legacy).toString('base64') },
        metadata: { name: 'robot-token', annotations: { 'kubernetes.io/service-account.name': 'robot', 'kubernetes.io/service-account.uid': saUid } },
      }),
    });
    oldKid = kidOf(bound);
  });

  after(async () => {
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a data dir no server has used has nothing to rotate', () => {
    const empty = mkdtempSync(join(tmpdir(), 'bosun-sarot-empty-'));
    try {
      assert.throws(() => rotateSaKey({ dataDir: empty }, () => {}), /no service account signing key at .*service-account\.key/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('before the rotation: both tokens authenticate, one key is published', async () => {
    assert.equal(kidOf(legacy), oldKid, 'legacy tokens carry the signing key\'s kid too');
    assert.equal(await whoami(bound), robot);
    assert.equal(await whoami(legacy), robot);
    assert.deepEqual((await discovery()).jwks.keys.map((k) => k.kid), [oldKid]);
  });

  test('after rotate-sa-key and a restart: old tokens still work, new ones carry the new kid, discovery lists both', async () => {
    const lines: string[] = [];
    rotateSaKey({ dataDir }, (l) => lines.push(l));
    const newKid = /new signing key: kid (\S+)/.exec(lines.join('\n'))?.[1];
    assert.ok(newKid && newKid !== oldKid, lines.join('\n'));
    assert.match(lines.join('\n'), new RegExp(`previous keys \\(verify only\\): ${oldKid}`));
    await restart();
    assert.equal(await whoami(bound), robot, 'a TokenRequest token issued before the rotation');
    assert.equal(await whoami(legacy), robot, 'a legacy Secret token issued before the rotation');
    assert.equal((await review(bound)).authenticated, true);
    const fresh = (await kubectlOk(srv!, ['-n', NS, 'create', 'token', 'robot'])).trim();
    assert.equal(kidOf(fresh), newKid, 'new tokens are signed by the new key');
    assert.equal(await whoami(fresh), robot);
    const { jwks, config } = await discovery();
    assert.deepEqual(jwks.keys.map((k) => [k.kid, k.alg]), [[newKid, 'RS256'], [oldKid, 'RS256']]);
    assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);
    // An outside verifier with the published JWKS accepts tokens of both keys.
    for (const t of [bound, fresh]) assert.equal((await jwtVerify(t, createLocalJWKSet(jwks as never), { issuer: DEFAULT_ISSUER })).payload.sub, robot);
  });

  test('after --remove-previous and a restart: the old tokens are 401, the new ones still work', async () => {
    const fresh = (await kubectlOk(srv!, ['-n', NS, 'create', 'token', 'robot'])).trim();
    const lines: string[] = [];
    rotateSaKey({ dataDir, removePrevious: true }, (l) => lines.push(l));
    assert.match(lines[0]!, new RegExp(`removed 1 previous key\\(s\\): ${oldKid}`));
    await restart();
    assert.match(await whoami(bound), /failed: .*(Unauthorized|must be logged in)/);
    assert.match(await whoami(legacy), /failed: .*(Unauthorized|must be logged in)/);
    const refused = await review(bound);
    assert.equal(refused.authenticated, undefined);
    assert.equal(refused.error, 'invalid signature, no keys found', 'upstream\'s error for a kid no key has');
    assert.equal(await whoami(fresh), robot);
    assert.deepEqual((await discovery()).jwks.keys.map((k) => k.kid), [kidOf(fresh)]);
    const again: string[] = [];
    rotateSaKey({ dataDir, removePrevious: true }, (l) => again.push(l));
    assert.equal(again[0], 'no previous keys to remove');
  });
});
