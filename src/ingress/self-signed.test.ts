/**
 * The self-signed default certificate is what ingress-nginx's GetFakeSSLCert makes: its own issuer,
 * the fake CN under O=Acme Co, DNS name ingress.local, a serving (not CA) certificate valid from now
 * for a year, whose key is the one returned; a new one at each start.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { FAKE_CERTIFICATE_CN, fakeCertificate } from './self-signed.js';

describe('fakeCertificate', () => {
  it('is a self-signed year-long serving certificate for ingress.local with its key', () => {
    const now = new Date('2026-03-04T05:06:07Z');
    const { cert, key } = fakeCertificate(now);
    const x = new X509Certificate(cert);
    assert.equal(x.subject, `O=Acme Co\nCN=${FAKE_CERTIFICATE_CN}`);
    assert.equal(x.issuer, x.subject);
    assert.ok(x.verify(x.publicKey), 'signed by its own key');
    assert.ok(x.checkPrivateKey(createPrivateKey(key)));
    assert.equal(x.subjectAltName, 'DNS:ingress.local');
    assert.equal(x.ca, false);
    assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(new Date(x.validFrom).toISOString(), '2026-03-04T05:06:07.000Z');
    assert.equal(new Date(x.validTo).toISOString(), '2027-03-04T05:06:07.000Z');
  });

  it('after 2049 the dates are GeneralizedTime (RFC 5280), and each call makes a new key and serial', () => {
    const a = new X509Certificate(fakeCertificate(new Date('2050-01-02T03:04:05Z')).cert);
    assert.equal(new Date(a.validFrom).toISOString(), '2050-01-02T03:04:05.000Z');
    const b = new X509Certificate(fakeCertificate().cert);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.notEqual(a.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), b.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'));
  });

  it('the serial is a minimal DER INTEGER whatever the random bytes (a leading zero byte was "illegal padding", 1 start in 256)', () => {
    // As Go's asn1 marshals ingress-nginx's rand.Int(2^128): no leading zero byte, a 0x00 before a set top bit.
    for (const [random, serial] of [['0010aabbccddeeff0011223344556677', '10AABBCCDDEEFF0011223344556677'], ['ff10aabbccddeeff0011223344556677', 'FF10AABBCCDDEEFF0011223344556677'], ['000000000000000000000000000000ff', 'FF'], ['00000000000000000000000000000000', '0']]) {
      const x = new X509Certificate(fakeCertificate(new Date('2026-03-04T05:06:07Z'), Buffer.from(random!, 'hex')).cert);
      assert.equal(x.serialNumber, serial, random);
    }
  });
});

