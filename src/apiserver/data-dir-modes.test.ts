/**
 * Files at rest: under umask 000, everything the server and a joining agent keep in their data dirs
 * (the SQLite database with its -wal and -shm files, the PKI's keys and certificates, the join token,
 * node passwords, kubeconfigs) is 0600 in 0700 directories, as k3s keeps its data dir; files that
 * already existed with looser modes (an older Bosun, an admin's copy) are tightened at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/meta.js';
import { KubeClient } from '../client/kube-client.js';
import { joinCluster } from '../agent/join/join-cluster.js';
import { kubeletClientCertificate } from './node-proxy/agent-client.js';
import { startApiServer } from './server.js';

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>([[dir, statSync(dir).mode & 0o777]]);
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    out.set(p, statSync(p).mode & 0o777);
  }
  return out;
}

function assertPrivate(dir: string, mustHave: string[]): void {
  const all = modes(dir);
  for (const [p, mode] of all) {
    const want = statSync(p).isDirectory() ? 0o700 : 0o600;
    assert.equal(mode.toString(8), want.toString(8), p);
  }
  for (const name of mustHave) assert.ok([...all.keys()].some((p) => p.endsWith(name)), `${name} was written`);
}

test('under umask 000 the server and agent data dirs hold only 0600 files in 0700 dirs', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bosun-modes-'));
  const serverDir = join(root, 'server');
  const agentDir = join(root, 'agent');
  const old = process.umask(0);
  t.after(() => {
    process.umask(old);
    rmSync(root, { recursive: true, force: true });
  });
  const server = await startApiServer({ dataDir: serverDir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'sqlite' });
  try {
    const admin = KubeClient.fromKubeconfig(server.kubeconfigPath);
    await admin.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { a: 'b' } } as KubeObject);
    admin.close();
    kubeletClientCertificate(server.pki);
    await joinCluster({ server: server.url, token: server.joinToken!, nodeName: 'modes-n1', dataDir: agentDir });
    assertPrivate(serverDir, ['state.db', 'state.db-wal', 'state.db-shm', 'ca.key', 'ca.crt', 'server.key', 'admin.key', 'apiserver-kubelet-client.key', 'token', 'node-passwords.json', 'kubeconfig.yaml']);
    assertPrivate(agentDir, ['kubeconfig.yaml', 'client.key', 'serving.key', 'ca.crt', 'node-password']);
  } finally {
    await server.stop();
  }

  // Loosened by hand (or by an older version): the next start tightens them again.
  chmodSync(serverDir, 0o755);
  for (const f of ['state.db', 'token', 'kubeconfig.yaml', join('pki', 'ca.key')]) chmodSync(join(serverDir, f), 0o644);
  const again = await startApiServer({ dataDir: serverDir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'sqlite' });
  try {
    assertPrivate(serverDir, ['state.db', 'token', 'kubeconfig.yaml', 'ca.key']);
  } finally {
    await again.stop();
  }
});
