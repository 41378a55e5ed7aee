/**
 * `bosun user add` end to end: a control plane (API server and controllers, so the csrsigning
 * controller signs), the CLI run as a user would, then the real kubectl with the written kubeconfig:
 * `kubectl auth whoami` shows the new name and groups. Also: --duration is honoured by the signer,
 * the kubeconfig is private, the request shows as Approved,Issued, and system:masters is refused
 * (upstream's CertificateSubjectRestriction).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { KubeClient } from '../../client/kube-client.js';
import { startControlPlane, type ControlPlane } from '../../cluster/control-plane.js';
import { runKubectl } from '../../testing/test-cluster.js';
import { addUser } from './user-add.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function bosun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, timeout: 120_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bosun user add', () => {
  let cp: ControlPlane;
  let dir: string;
  let admin: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-user-add-'));
    cp = await startControlPlane({ dataDir: join(dir, 'data'), port: 0, bindAddress: '127.0.0.1', store: 'memory', disableScheduler: true });
    admin = cp.api.kubeconfigPath;
  });
  after(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a kubeconfig whose user kubectl auth whoami shows with its groups', async () => {
    const out = join(dir, 'ua-alice.kubeconfig');
    const r = await bosun(['user', 'add', 'ua-alice', '--group', 'dev', '--group', 'ops', '--duration', '1h', '--kubeconfig', admin, '--kubeconfig-out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user "ua-alice" added/);
    assert.equal(statSync(out).mode & 0o777, 0o600);

    const whoami = await runKubectl(out, join(dir, 'cache'), ['auth', 'whoami', '-o', 'json']);
    assert.equal(whoami.code, 0, whoami.stderr);
    const info = JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(info.status.userInfo.username, 'ua-alice');
    assert.deepEqual(info.status.userInfo.groups, ['dev', 'ops', 'system:authenticated']);

    // The signer honoured --duration: notAfter - notBefore is one hour (both backdated 5 minutes).
    const kc = parse(readFileSync(out, 'utf8')) as { users: { user: { 'client-certificate-data': string } }[]; clusters: { cluster: { server: string } }[] };
    assert.equal(kc.clusters[0]!.cluster.server, cp.api.url);
    const cert = new X509Certificate(Buffer.from(kc.users[0]!.user['client-certificate-data'], 'base64'));
    assert.equal((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 1000, 3600);
    assert.equal(cert.subject, 'O=dev\nO=ops\nCN=ua-alice');

    const csrs = await runKubectl(admin, join(dir, 'admin-cache'), ['get', 'csr', '-l', 'bosun.dev/user=ua-alice']);
    assert.match(csrs.stdout, /kubernetes.io\/kube-apiserver-client\s+system:admin\s+60m\s+Approved,Issued/);
  });

  it('refuses system:masters (the same flow, in process)', async () => {
    const client = KubeClient.fromKubeconfig(admin);
    try {
      await assert.rejects(addUser(client, { name: 'ua-eve', groups: ['system:masters'], kubeconfigOut: join(dir, 'ua-eve.kubeconfig'), timeoutMs: 10_000 }),
        /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
    } finally {
      client.close();
    }
  });
});
