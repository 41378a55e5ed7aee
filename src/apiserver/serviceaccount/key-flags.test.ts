/**
 * `bosun server --service-account-signing-key-file F --service-account-key-file A
 * --service-account-key-file B` (kube-apiserver's flags) on an in-process server with the real
 * kubectl: an ECDSA signing key signs ES256 tokens with its kid, a token signed by an RSA key that
 * only verifies (an earlier signing key) still authenticates, with or without a kid (upstream's
 * jwt.go tries every key when there is none), a key not listed is refused, discovery lists every
 * verification key with its algorithm, and a signing key no key file holds is refused at start.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { RawClient } from '../../testing/raw-client.js';
import { runKubectl, startTestServer } from '../../testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../testing/token-kubeconfig.js';
import { startApiServer } from '../server.js';
import { boundClaims } from './claims.js';
import { parsePrivateKeyPem, type SigningKey } from './key-files.js';
import { DEFAULT_ISSUER } from './service-account-tokens.js';

const NS = 'saflag-ns';
const header = (jwt: string): { alg: string; kid?: string } => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());

describe('service account key flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-saflag-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const openssl = (args: string[], input?: string): string => execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const ecPem = openssl(['ecparam', '-genkey', '-noout', '-name', 'prime256v1']);
  const oldPem = openssl(['genrsa', '-traditional', '2048']);
  const strangerPem = openssl(['genrsa', '-traditional', '2048']);
  const ecKeyFile = file('new-ec.key', ecPem);
  const oldPubFile = file('old.pub', openssl(['rsa', '-pubout'], oldPem));
  const [ec, old, stranger] = [ecPem, oldPem, strangerPem].map(parsePrivateKeyPem) as [SigningKey, SigningKey, SigningKey];
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  let saUid = '';

  /** A token for robot signed by `key` (its kid unless told otherwise; null: none), as an earlier server would have. */
  const signedBy = (key: SigningKey, kid: string | null = key.kid): Promise<string> =>
    new SignJWT({ ...boundClaims({ issuer: DEFAULT_ISSUER, serviceAccount: { namespace: NS, name: 'robot', uid: saUid }, audiences: [DEFAULT_ISSUER], expirationSeconds: 600 }) })
      .setProtectedHeader({ alg: key.alg, ...(kid ? { kid } : {}) }).sign(key.privateKey);
  const whoami = async (token: string): Promise<string> => {
    const r = await runKubectl(writeTokenKubeconfig(dir, srv.url, join(srv.dataDir, 'pki', 'ca.crt'), token), join(dir, 'cache'), ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    return r.code === 0 ? r.stdout.trim() : `failed: ${r.stderr}`;
  };
  const reviewError = async (token: string): Promise<string | undefined> =>
    JSON.parse(await kubectlOk(srv, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) })).status.error;
  const robot = `system:serviceaccount:${NS}:robot`;

  before(async () => {
    srv = await startTestServer({ serviceAccountKeys: { signingKeyFile: ecKeyFile, keyFiles: [oldPubFile, ecKeyFile] } });
    await kubectlOk(srv, ['create', 'namespace', NS]);
    await kubectlOk(srv, ['-n', NS, 'create', 'serviceaccount', 'robot']);
    saUid = (await kubectlOk(srv, ['-n', NS, 'get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
  });

  after(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the ECDSA signing key signs ES256 tokens with its kid, and they authenticate', async () => {
    const token = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot'])).trim();
    assert.deepEqual(header(token), { alg: 'ES256', kid: ec.kid });
    assert.equal(await whoami(token), robot);
  });

  test('a token of a verification-only RSA key authenticates, with its kid or none; keys not listed are refused', async () => {
    assert.equal(await whoami(await signedBy(old)), robot);
    assert.equal(await whoami(await signedBy(old, null)), robot, 'no kid: every key is tried');
    assert.match(await whoami(await signedBy(stranger)), /failed: .*(Unauthorized|must be logged in)/);
    assert.equal(await reviewError(await signedBy(stranger)), 'invalid signature, no keys found');
    assert.equal(await reviewError(await signedBy(stranger, old.kid)), 'invalid signature', 'a forged kid does not help');
    assert.equal(await reviewError(await signedBy(stranger, null)), 'invalid signature');
  });

  test('discovery lists every verification key in flag order with its algorithm', async () => {
    const raw = new RawClient(srv.url, srv.dataDir);
    try {
      const jwks = (await raw.request('/openid/v1/jwks')).json as { keys: Array<Record<string, string>> };
      assert.deepEqual(jwks.keys.map((k) => [k.kid, k.alg, k.kty, k.use]), [[old.kid, 'RS256', 'RSA', 'sig'], [ec.kid, 'ES256', 'EC', 'sig']]);
      assert.equal(jwks.keys[1]!.crv, 'P-256');
      assert.equal(jwks.keys.some((k) => 'd' in k), false, 'no private parts');
      const config = (await raw.request('/.well-known/openid-configuration')).json;
      assert.deepEqual(config.id_token_signing_alg_values_supported, ['ES256', 'RS256']);
    } finally {
      raw.close();
    }
  });

  test('a signing key that no --service-account-key-file holds, or an unreadable one, is refused at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bosun-saflag-refused-'));
    try {
      // A server that starts anyway is stopped, so the failure does not leave it running.
      const start = async (keys: { signingKeyFile: string; keyFiles?: string[] }): Promise<void> => {
        const started = await startApiServer({ dataDir, storeBackend: 'memory', port: 0, bindAddress: '127.0.0.1', serviceAccountKeys: keys });
        await started.stop();
        assert.fail('the server started');
      };
      await assert.rejects(start({ signingKeyFile: ecKeyFile, keyFiles: [oldPubFile] }), new RegExp(`the service account signing key \\(kid ${ec.kid}\\) is not in any --service-account-key-file`));
      await assert.rejects(start({ signingKeyFile: oldPubFile }), /error reading private key file .*old\.pub: data does not contain a valid RSA or ECDSA private key/);
      await assert.rejects(start({ signingKeyFile: ecKeyFile, keyFiles: [join(dir, 'absent.pub')] }), /cannot read service account key file .*absent\.pub: ENOENT/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
