/**
 * The EncryptionConfiguration as upstream reads it (apiserver/pkg/apis/apiserver/validation/
 * validation_encryption.go for the checks and messages, storage/value/encrypt/* for the formats),
 * and `bosun server` refusing to start on a bad file with the field at fault.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEncryptionConfig } from './config.js';
import { spawnServer } from '../../testing/test-cluster.js';

const k32 = randomBytes(32).toString('base64');
const doc = (body: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${body}`;
const one = (resources: string, provider: string) => doc(`  - resources: [${resources}]\n    providers:\n      - ${provider}\n`);

describe('EncryptionConfiguration', () => {
  it('aescbc, aesgcm and secretbox values carry upstream\'s prefix and open with the same key only', () => {
    for (const kind of ['aescbc', 'aesgcm', 'secretbox']) {
      const cfg = parseEncryptionConfig(one('secrets', `${kind}: {keys: [{name: k1, secret: "${k32}"}]}`));
      const [t] = cfg.transformersFor('', 'secrets')!;
      assert.equal(t!.prefix, `k8s:enc:${kind}:v1:k1:`);
      const sealed = t!.seal(Buffer.from('{"data":"x"}'), '/registry/core/secrets/ns/a');
      assert.equal(t!.open(sealed, '/registry/core/secrets/ns/a').toString(), '{"data":"x"}');
      const other = parseEncryptionConfig(one('secrets', `${kind}: {keys: [{name: k1, secret: "${randomBytes(32).toString('base64')}"}]}`)).transformersFor('', 'secrets')![0]!;
      assert.throws(() => other.open(sealed, '/registry/core/secrets/ns/a'));
    }
  });

  it('aescbc is IV + AES-CBC/PKCS#7 (decryptable as upstream\'s); aesgcm binds the value to its store key', () => {
    const key = randomBytes(16);
    const t = parseEncryptionConfig(one('secrets', `aescbc: {keys: [{name: k, secret: "${key.toString('base64')}"}]}`)).transformersFor('', 'secrets')![0]!;
    const raw = Buffer.from(t.seal(Buffer.from('hello'), 'x'), 'base64');
    const d = createDecipheriv('aes-128-cbc', key, raw.subarray(0, 16));
    assert.equal(Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString(), 'hello');
    const g = parseEncryptionConfig(one('secrets', `aesgcm: {keys: [{name: k, secret: "${k32}"}]}`)).transformersFor('', 'secrets')![0]!;
    const sealed = g.seal(Buffer.from('hello'), '/registry/core/secrets/a/s');
    assert.throws(() => g.open(sealed, '/registry/core/secrets/b/s'), /unable to authenticate|auth/i);
  });

  it('resolves exact names first, then the group wildcard, then *.*; the first rule naming a resource wins', () => {
    const cfg = parseEncryptionConfig(doc(`  - resources: [secrets]
    providers: [{identity: {}}]
  - resources: [configmaps, '*.apps']
    providers: [{aesgcm: {keys: [{name: a, secret: "${k32}"}]}}]
  - resources: ['*.']
    providers: [{secretbox: {keys: [{name: b, secret: "${k32}"}]}}]
  - resources: ['*.*']
    providers: [{aescbc: {keys: [{name: c, secret: "${k32}"}]}}]
`));
    assert.equal(cfg.transformersFor('', 'secrets')![0]!.kind, 'identity');
    assert.equal(cfg.transformersFor('', 'configmaps')![0]!.kind, 'aesgcm');
    assert.equal(cfg.transformersFor('apps', 'deployments')![0]!.kind, 'aesgcm');
    assert.equal(cfg.transformersFor('', 'pods')![0]!.kind, 'secretbox');
    assert.equal(cfg.transformersFor('batch', 'jobs')![0]!.kind, 'aescbc');
    assert.equal(parseEncryptionConfig(one('secrets', 'identity: {}')).transformersFor('', 'configmaps'), undefined);
  });

  it('refuses bad files with upstream\'s field paths and messages (never the key)', () => {
    const bad: Array<[string, RegExp]> = [
      [one('secrets', `aescbc: {keys: [{name: k, secret: "${randomBytes(8).toString('base64')}"}]}`), /resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of \[16 24 32\]/],
      [one('secrets', `secretbox: {keys: [{name: k, secret: "${randomBytes(16).toString('base64')}"}]}`), /secret is not of the expected length, got 16, expected one of \[32\]/],
      [one('secrets', 'aesgcm: {keys: [{name: k, secret: "not base64!"}]}'), /secrets must be base64 encoded/],
      [one('secrets', `aesgcm: {keys: [{secret: "${k32}"}]}`), /keys\[0\]\.name: Required value: name is a mandatory field for a key/],
      [one('secrets', 'aesgcm: {keys: []}'), /aesgcm\.keys: Required value: at least one keys is required/],
      [one('secrets', `{aesgcm: {keys: [{name: k, secret: "${k32}"}]}, identity: {}}`), /more than one provider specified in a single element/],
      [one('Secrets', 'identity: {}'), /resource name should not contain capital letters/],
      [one("'*'", 'identity: {}'), /use '\*\.' to encrypt all the resources from core API group/],
      [one("secrets, '*.'", 'identity: {}'), /using overlapping resources such as 'secrets' and '\*\.'/],
      [one("'*.events.k8s.io'", 'identity: {}'), /Use 'events' instead/],
      [one("'secrets.*'", 'identity: {}'), /encrypting the same resource across groups is not supported/],
      [one('secrets', 'kms: {name: x, endpoint: "unix:///k.sock"}'), /kms: Unsupported value/],
      [doc(''), /at least one resources is required/],
      ['apiVersion: v1\nkind: EncryptionConfig\nresources: []', /want EncryptionConfiguration in apiserver\.config\.k8s\.io\/v1/],
    ];
    for (const [text, want] of bad) assert.throws(() => parseEncryptionConfig(text, 'enc.yaml'), (err: Error) => {
      assert.match(err.message, /^error while parsing encryption provider configuration file "enc\.yaml": /);
      assert.match(err.message, want);
      return true;
    });
  });

  it('bosun server --secrets-encryption (k3s) keeps its own 0600 configuration and stores Secrets encrypted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-enc-k3s-'));
    try {
      const s = await spawnServer({ dataDir: dir, store: 'sqlite', extraArgs: ['--disable-agent', '--secrets-encryption'] });
      try {
        await s.kubectl(['create', 'secret', 'generic', 'k3s-style', '--from-literal=v=k3s-style-plaintext']);
        const got = await s.kubectl(['get', 'secret', 'k3s-style', '-o', 'jsonpath={.data.v}']);
        assert.equal(Buffer.from(got.stdout, 'base64').toString(), 'k3s-style-plaintext');
      } finally {
        await s.stop();
      }
      const file = join(dir, 'encryption-config.yaml');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const [t] = parseEncryptionConfig(readFileSync(file, 'utf8')).transformersFor('', 'secrets')!;
      assert.equal(t!.kind, 'aescbc');
      const db = Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('state.db')).map((f) => readFileSync(join(dir, f))));
      assert.equal(db.includes('k3s-style-plaintext') || db.includes(Buffer.from('k3s-style-plaintext').toString('base64')), false);
      assert.ok(db.includes(t!.prefix));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bosun server exits at start with the file\'s error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-enc-cfg-'));
    try {
      const file = join(dir, 'enc.yaml');
      writeFileSync(file, one('secrets', 'aescbc: {keys: [{name: k, secret: "c2hvcnQ="}]}'));
      await assert.rejects(spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--encryption-provider-config', file] }),
        /exited with 1[\s\S]*error while parsing encryption provider configuration file "[^"]*enc\.yaml": resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 5/);
      await assert.rejects(spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--encryption-provider-config', join(dir, 'missing.yaml')] }),
        /error reading encryption provider configuration file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
