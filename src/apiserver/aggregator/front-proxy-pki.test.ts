/** The front proxy's PKI: made once and reused; its client reissued by the same CA within 90 days of expiry, as the server's own certificates. */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureFrontProxyPki, FRONT_PROXY_CLIENT_CN } from './front-proxy-pki.js';

test('front-proxy-ca and front-proxy-client: created, reused, the client renewed near expiry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-front-proxy-'));
  try {
    const first = ensureFrontProxyPki(dir);
    const client = new X509Certificate(first.client.cert);
    assert.equal(client.subject, `CN=${FRONT_PROXY_CLIENT_CN}`);
    assert.ok(client.verify(new X509Certificate(first.ca.cert).publicKey), 'signed by the front proxy CA');
    assert.deepEqual(ensureFrontProxyPki(dir), first);
    const later = ensureFrontProxyPki(dir, Date.now() + 300 * 24 * 3600_000);
    assert.equal(later.ca.cert, first.ca.cert);
    assert.notEqual(later.client.cert, first.client.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
