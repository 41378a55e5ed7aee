/**
 * Secrets encrypted at rest, seen from outside: Secrets made with the real kubectl on a server with
 * an EncryptionConfiguration leave no plaintext in the SQLite files (database, WAL) nor in etcd's
 * values; a key rotation done as upstream documents it (add the new key second, restart, make it
 * first, restart, rewrite every Secret, drop the old key, restart) keeps every Secret readable at
 * each step; a removed key's Secrets fail as upstream's ("unable to transform key").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import type { ApiServer } from '../server.js';
import { KubeClient } from '../../client/index.js';
import type { KubeObject } from '../../api/meta.js';
import { reencrypt } from '../../cli/commands/secrets-encrypt.js';
import { EtcdStore } from '../../store/index.js';
import { etcdAvailable, startEtcd, type EtcdServer } from '../../store/testing/etcd-server.js';
import { parseEncryptionConfig } from './config.js';

const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');

function config(providers: string): ReturnType<typeof parseEncryptionConfig> {
  return parseEncryptionConfig(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`);
}
const aescbc = (...keys: Array<[string, string]>) => `      - aescbc:\n          keys:\n${keys.map(([n, s]) => `            - {name: ${n}, secret: "${s}"}\n`).join('')}`;
const IDENTITY = '      - identity: {}\n';

/** Every byte of the SQLite database and its WAL/SHM files. */
function sqliteBytes(dataDir: string): Buffer {
  return Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('state.db')).map((f) => readFileSync(join(dataDir, f))));
}

/** The newest stored value of every secret key (kine's table keeps history rows too). */
function latestSecretValues(dataDir: string): Map<string, string> {
  const db = new Database(join(dataDir, 'state.db'), { readonly: true });
  try {
    const rows = db.prepare(`SELECT name, value FROM kine WHERE id IN (SELECT MAX(id) FROM kine WHERE name LIKE '/registry/core/secrets/%' GROUP BY name) AND deleted = 0`).all() as Array<{ name: string; value: string }>;
    return new Map(rows.map((r) => [r.name, r.value]));
  } finally {
    db.close();
  }
}

/** The marker of a plaintext Secret: its value as typed and as base64 in `data`. */
function plaintextMarks(value: string): string[] {
  return [value, Buffer.from(value).toString('base64')];
}

describe('Secrets at rest on SQLite (real kubectl)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-enc-'));
  const values = new Map<string, string>();
  let server: TestServer & { server: ApiServer };
  const start = async (providers: string) => {
    await server?.stop();
    server = await startTestServer({ store: 'sqlite', dataDir, encryption: config(providers) });
  };
  const create = async (name: string) => {
    const value = `enc-plain-${randomBytes(8).toString('hex')}`;
    values.set(name, value);
    await kubectlOk(server, ['create', 'secret', 'generic', name, '-n', 'default', `--from-literal=password=${value}`]);
  };
  /** Every Secret made so far reads back through the API with its value. */
  const allReadable = async () => {
    const list = JSON.parse(await kubectlOk(server, ['get', 'secrets', '-n', 'default', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; data: { password: string } }> };
    const got = new Map(list.items.map((s) => [s.metadata.name, Buffer.from(s.data.password, 'base64').toString()]));
    for (const [name, value] of values) assert.equal(got.get(name), value, `secret ${name}`);
  };
  const keyOf = (value: string) => /^k8s:enc:aescbc:v1:([^:]+):/.exec(value)?.[1] ?? 'plaintext';

  before(async () => {
    await start(aescbc(['key1', KEY1]) + IDENTITY);
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores no plaintext: the raw database and WAL bytes hold only k8s:enc:aescbc:v1:key1: values', async () => {
    for (const n of ['enc-a', 'enc-b', 'enc-c']) await create(n);
    // An update and a read through the API see the plaintext.
    await kubectlOk(server, ['label', 'secret', 'enc-a', 'touched=yes']);
    await allReadable();
    const raw = sqliteBytes(dataDir);
    for (const v of values.values()) for (const mark of plaintextMarks(v)) assert.equal(raw.includes(mark), false, `plaintext ${mark} found in the SQLite files`);
    const latest = latestSecretValues(dataDir);
    assert.deepEqual([...latest.keys()].sort(), ['/registry/core/secrets/default/enc-a', '/registry/core/secrets/default/enc-b', '/registry/core/secrets/default/enc-c']);
    for (const v of latest.values()) assert.equal(keyOf(v), 'key1');
    // A watch delivers the plaintext of a Secret written while it runs (store events are opened too).
    const client = KubeClient.fromKubeconfig(server.kubeconfig);
    try {
      const rv = (await client.secrets('default').list()).metadata.resourceVersion;
      const w = await client.secrets<KubeObject & { data: { password: string } }>('default').watch({ resourceVersion: rv });
      await create('enc-w');
      for await (const ev of w) {
        if (ev.type !== 'ADDED' || ev.object.metadata.name !== 'enc-w') continue;
        assert.equal(Buffer.from(ev.object.data.password, 'base64').toString(), values.get('enc-w'));
        break;
      }
      w.stop();
      await kubectlOk(server, ['delete', 'secret', 'enc-w']);
      values.delete('enc-w');
    } finally {
      client.close();
    }
    // ConfigMaps are not listed in the configuration: stored as they are.
    await kubectlOk(server, ['create', 'configmap', 'enc-cm', '--from-literal=k=visible-config-value']);
    assert.ok(sqliteBytes(dataDir).includes('visible-config-value'));
  });

  it('rotates keys as upstream documents, every Secret readable at each step, the old key gone at the end', async () => {
    // 1. The new key second: nothing changes for writes, both keys read.
    await start(aescbc(['key1', KEY1], ['key2', KEY2]) + IDENTITY);
    await allReadable();
    // 2. The new key first: new writes use it, old values still open with key1.
    await start(aescbc(['key2', KEY2], ['key1', KEY1]) + IDENTITY);
    await allReadable();
    await create('enc-d');
    let latest = latestSecretValues(dataDir);
    assert.equal(keyOf(latest.get('/registry/core/secrets/default/enc-d')!), 'key2');
    assert.equal(keyOf(latest.get('/registry/core/secrets/default/enc-b')!), 'key1');
    // 3. Rewrite every Secret through the API (bosun secrets-encrypt reencrypt).
    const client = KubeClient.fromKubeconfig(server.kubeconfig);
    try {
      const res = await reencrypt(client, ['secrets']);
      assert.deepEqual(res.resources, [{ resource: 'secrets', rewritten: 3, unchanged: 1 }]);
      // A second pass finds nothing left to do: no writes.
      assert.deepEqual((await reencrypt(client, ['secrets'])).resources, [{ resource: 'secrets', rewritten: 0, unchanged: 4 }]);
    } finally {
      client.close();
    }
    latest = latestSecretValues(dataDir);
    for (const [k, v] of latest) assert.equal(keyOf(v), 'key2', k);
    await allReadable();
    // 4. The old key removed: still all readable.
    await start(aescbc(['key2', KEY2]));
    await allReadable();
    const raw = sqliteBytes(dataDir);
    for (const v of values.values()) for (const mark of plaintextMarks(v)) assert.equal(raw.includes(mark), false);
  });

  it('a Secret under a key no longer configured is a 500 naming the key path, as upstream', async () => {
    await start(aescbc(['key3', randomBytes(32).toString('base64')]));
    const res = await server.kubectl(['get', 'secret', 'enc-a', '-n', 'default']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /Internal error occurred: unable to transform key "\/registry\/core\/secrets\/default\/enc-a"/);
    // Other kinds are unaffected.
    await kubectlOk(server, ['get', 'configmap', 'enc-cm']);
  });
});

if (!etcdAvailable()) {
  describe('Secrets at rest on etcd', () => {
    it('skipped: etcd is not installed', { skip: true }, () => {});
  });
} else {
  describe('Secrets at rest on etcd', () => {
    let etcd: EtcdServer;
    let server: TestServer & { server: ApiServer };
    const prefix = `/bosun-enc-${randomBytes(4).toString('hex')}`;
    before(async () => {
      etcd = await startEtcd();
    });
    after(async () => {
      await server?.stop();
      await etcd?.stop();
    });

    it('etcd holds k8s:enc:secretbox:v1: values and no plaintext', async () => {
      const store = new EtcdStore({ endpoints: [etcd.endpoint], prefix });
      await store.ready();
      const secretbox = `      - secretbox:\n          keys:\n            - {name: sb1, secret: "${KEY1}"}\n`;
      server = await startTestServer({ storeInstance: store, encryption: config(secretbox) });
      const value = `etcd-plain-${randomBytes(8).toString('hex')}`;
      await kubectlOk(server, ['create', 'secret', 'generic', 'enc-e', `--from-literal=password=${value}`]);
      const got = await kubectlOk(server, ['get', 'secret', 'enc-e', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(got, 'base64').toString(), value);
      const client = new Etcd3({ hosts: etcd.endpoint });
      try {
        const all = await client.getAll().prefix(prefix).buffers();
        const secrets = Object.entries(all).filter(([k]) => k.includes('/registry/core/secrets/'));
        assert.equal(secrets.length, 1);
        assert.ok(secrets[0]![1].toString('latin1').startsWith('k8s:enc:secretbox:v1:sb1:'));
        for (const [k, v] of Object.entries(all)) for (const mark of plaintextMarks(value)) assert.equal(v.includes(mark), false, `plaintext in etcd value of ${k}`);
      } finally {
        client.close();
      }
    });
  });
}
