/**
 * The rotation flow a user follows, with the real `bosun` command line and kubectl: a control
 * plane (in this process, to save a start: its tokens controller fills in a legacy token Secret),
 * a Secret-bound TokenRequest token; `bosun rotate-sa-key`; `bosun server` on that data dir, given the keys by
 * kube-apiserver's flags (--service-account-signing-key-file, --service-account-key-file twice),
 * so the flags are shown to reach the server: both old tokens are still accepted, a new token has
 * the new kid, the JWKS lists both keys, and a legacy Secret whose token is removed gets one signed
 * by the new key (the documented way to move legacy tokens before removing the old key).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { runKubectl, spawnServer, type KubectlOptions, type SpawnedServer } from '../../testing/test-cluster.js';
import { startControlPlane } from '../../cluster/control-plane.js';

const MAIN = new URL('../main.ts', import.meta.url).pathname;
const bosun = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
const NS = 'sarotcli';
const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid;

describe('bosun rotate-sa-key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-sarotcli-'));
  let srv: Pick<SpawnedServer, 'kubectl' | 'stop'> | undefined;
  after(async () => {
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const reviewed = async (token: string): Promise<boolean> =>
    JSON.parse(await kubectlOk(srv!, ['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) })).status.authenticated === true;
  const legacyToken = async (): Promise<string | undefined> => {
    const t = (await kubectlOk(srv!, ['-n', NS, 'get', 'secret', 'robot-token', '-o', 'jsonpath={.data.token}'])).trim();
    return t ? Buffer.from(t, 'base64').toString() : undefined;
  };

  test('rotate, restart with the keys as flags: old tokens verify, new ones carry the new kid', async () => {
    // Before: a control plane in this process (its tokens controller signs the legacy token).
    const cp = await startControlPlane({ dataDir, store: 'sqlite', port: 0, bindAddress: '127.0.0.1', disableScheduler: true });
    const cache = mkdtempSync(join(tmpdir(), 'bosun-sarotcli-kc-'));
    srv = { kubectl: (args: string[], o?: KubectlOptions) => runKubectl(cp.api.kubeconfigPath, cache, args, o), stop: async () => {
      await cp.stop();
      rmSync(cache, { recursive: true, force: true });
    } } as SpawnedServer;
    await kubectlOk(srv, ['create', 'namespace', NS]);
    await kubectlOk(srv, ['-n', NS, 'create', 'serviceaccount', 'robot']);
    await kubectlOk(srv, ['-n', NS, 'apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'robot-token', annotations: { 'kubernetes.io/service-account.name': 'robot' } } }),
    });
    const legacy = await eventually(legacyToken, 'the tokens controller fills in the legacy token');
    const bound = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot', '--bound-object-kind', 'Secret', '--bound-object-name', 'robot-token'])).trim();
    const oldKid = kidOf(bound);
    await srv.stop();

    const rotated = bosun('rotate-sa-key', '--data-dir', dataDir);
    assert.equal(rotated.status, 0, rotated.stderr);
    const newKid = /bosun: new signing key: kid (\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(newKid && newKid !== oldKid, rotated.stdout);

    const pki = join(dataDir, 'pki');
    srv = await spawnServer({
      dataDir, extraArgs: ['--disable-agent', '--service-account-signing-key-file', join(pki, 'service-account.key'),
        '--service-account-key-file', join(pki, 'service-account.key'), '--service-account-key-file', join(pki, 'service-account-previous.pub')],
    });
    assert.equal(await reviewed(bound), true, 'the TokenRequest token from before the rotation');
    assert.equal(await reviewed(legacy), true, 'the legacy token from before the rotation');
    const fresh = (await kubectlOk(srv, ['-n', NS, 'create', 'token', 'robot'])).trim();
    assert.equal(kidOf(fresh), newKid);
    const jwks = JSON.parse(await kubectlOk(srv, ['get', '--raw', '/openid/v1/jwks'])) as { keys: Array<{ kid: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.kid), [newKid, oldKid]);

    // Moving a legacy token to the new key: remove it, the tokens controller signs a new one.
    await kubectlOk(srv, ['-n', NS, 'patch', 'secret', 'robot-token', '--type', 'json', '-p', '[{"op":"remove","path":"/data/token"}]']);
    const resigned = await eventually(async () => {
      const t = await legacyToken();
      return t && t !== legacy ? t : undefined;
    }, 'a new legacy token');
    assert.equal(kidOf(resigned), newKid);
    assert.equal(await reviewed(resigned), true);
    assert.equal(await reviewed(legacy), false, 'the replaced token no longer matches its Secret');
  });
});
