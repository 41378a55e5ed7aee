import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePki } from './pki.js';

test('ensurePki creates a CA, serving and admin certificates and reuses them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-pki-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = ensurePki(dir, ['bosun.example']);
  const ca = new X509Certificate(a.ca.cert);
  const server = new X509Certificate(a.server.cert);
  const admin = new X509Certificate(a.admin.cert);
  assert.ok(ca.ca);
  assert.ok(server.verify(ca.publicKey));
  assert.ok(admin.verify(ca.publicKey));
  assert.ok(server.checkIP('127.0.0.1'));
  assert.ok(server.checkIP('10.43.0.1'));
  assert.ok(server.checkHost('localhost'));
  assert.ok(server.checkHost('bosun.example'));
  assert.match(admin.subject, /CN=system:admin/);
  assert.match(admin.subject, /O=system:masters/);
  const b = ensurePki(dir, ['bosun.example']);
  assert.equal(b.ca.cert, a.ca.cert);
  assert.equal(b.server.cert, a.server.cert);
  assert.equal(b.admin.key, a.admin.key);
  // A new name reissues only the serving certificate, from the same CA.
  const c = ensurePki(dir, ['other.example']);
  assert.equal(c.ca.cert, a.ca.cert);
  assert.notEqual(c.server.cert, a.server.cert);
  assert.ok(new X509Certificate(c.server.cert).checkHost('other.example'));
});
