/**
 * PKCS#10 parsing and signing, and the signers' rules, as upstream's certificates helpers
 * (pkg/apis/certificates/helpers.go ParseCSR + CheckSignature, ValidateKubeletClientCSR /
 * ValidateKubeletServingCSR), the csrsigning controller (signer.go: usages check, duration, backdate)
 * and ValidateSignerName. RSA, ECDSA and Ed25519 requests are built here without openssl.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { issueCertificate } from '../../apiserver/pki/certs.js';
import { validateSignerName } from '../kinds/certificates/csr-validation.js';
import { signingResult } from '../../controllers/csr-signing/csr-signing-controller.js';
import type { CertificateSigningRequest } from '../kinds/index.js';
import { makeCsr } from './make-csr.js';
import { CsrError, parseCsr } from './pkcs10.js';
import { BACKDATE_MS, csrDuration, signCsr } from './sign-csr.js';
import { signerProblem } from './signer-rules.js';

// A tiny DER writer for requests with non-RSA keys.
const tlv = (tag: number, body: Buffer): Buffer => {
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));

function csrFor(key: KeyObject, pub: KeyObject, alg: string, digest: string | null, cn: string): string {
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
  const info = seq(tlv(0x02, Buffer.from([0])), name, pub.export({ type: 'spki', format: 'der' }), tlv(0xa0, Buffer.alloc(0)));
  const sig = sign(digest, info, key);
  const der = seq(info, seq(oid(alg)), tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

const ca = issueCertificate({ commonName: 'test-ca', usage: 'ca', validDays: 30 });
const HOUR = 3600_000;

describe('PKCS#10 requests', () => {
  it('reads subject, groups and key of RSA, ECDSA and Ed25519 requests, checking the self-signature', () => {
    const rsa = parseCsr(makeCsr('alice', ['dev', 'ops']).csr);
    assert.equal(rsa.commonName, 'alice');
    assert.deepEqual(rsa.organizations, ['dev', 'ops']);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.equal(parseCsr(csrFor(ec.privateKey, ec.publicKey, '1.2.840.10045.4.3.2', 'sha256', 'bob')).commonName, 'bob');
    const ed = generateKeyPairSync('ed25519');
    assert.equal(parseCsr(csrFor(ed.privateKey, ed.publicKey, '1.3.101.112', null, 'carol')).publicKey.asymmetricKeyType, 'ed25519');
  });

  it('refuses what is not a request or whose signature does not match, with upstream\'s words', () => {
    assert.throws(() => parseCsr('hello'), new CsrError('PEM block type must be CERTIFICATE REQUEST'));
    assert.throws(() => parseCsr(ca.cert), /PEM block type must be CERTIFICATE REQUEST/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const mine = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // Signed by one key, claiming another: the self-signature fails.
    assert.throws(() => parseCsr(csrFor(other.privateKey, mine.publicKey, '1.2.840.10045.4.3.2', 'sha256', 'x')), /signature verification failure/);
    assert.throws(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n'), /x509: malformed/);
  });
});

describe('signing', () => {
  it('issues a client certificate from the CA with the request\'s subject and key, for the duration, backdated', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    for (const req of [makeCsr('alice', ['dev']).csr, (() => { const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }); return csrFor(k.privateKey, k.publicKey, '1.2.840.10045.4.3.2', 'sha256', 'bob'); })()]) {
      const parsed = parseCsr(req);
      const cert = new X509Certificate(signCsr(parsed, { ca, usages: ['digital signature', 'key encipherment', 'client auth'], durationMs: HOUR, now }));
      assert.ok(cert.verify(createPublicKey(ca.cert)), 'signed by the CA');
      assert.ok(cert.checkIssued(new X509Certificate(ca.cert)));
      assert.equal(cert.subject.split('\n').at(-1), `CN=${parsed.commonName}`);
      assert.ok(cert.publicKey.equals(parsed.publicKey));
      assert.equal(cert.ca, false);
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
      assert.equal(Date.parse(cert.validFrom), now - BACKDATE_MS);
      assert.equal(Date.parse(cert.validTo), now + HOUR - BACKDATE_MS);
    }
  });

  it('honours expirationSeconds within [10 min, the signer\'s TTL] (signer.go duration)', () => {
    const ttl = 365 * 24 * HOUR;
    assert.equal(csrDuration(undefined, ttl), ttl);
    assert.equal(csrDuration(3600, ttl), HOUR);
    assert.equal(csrDuration(60, ttl), 10 * 60_000);
    assert.equal(csrDuration(10 * 365 * 24 * 3600, ttl), ttl);
  });

  it('applies each built-in signer\'s rules', () => {
    const alice = parseCsr(makeCsr('alice').csr);
    assert.equal(signerProblem('kubernetes.io/kube-apiserver-client', alice, ['client auth', 'digital signature']), undefined);
    assert.equal(signerProblem('kubernetes.io/kube-apiserver-client', alice, ['client auth', 'server auth']), 'invalid usage for client certificate: server auth');
    assert.equal(signerProblem('kubernetes.io/kube-apiserver-client', alice, ['digital signature']), 'missing required usage for client certificate: client auth');
    assert.equal(signerProblem('kubernetes.io/kube-apiserver-client-kubelet', alice, ['client auth', 'digital signature']), 'subject organization is not system:nodes');
    const node = parseCsr(makeCsr('system:node:n1', ['system:nodes']).csr);
    assert.equal(signerProblem('kubernetes.io/kube-apiserver-client-kubelet', node, ['digital signature', 'key encipherment', 'client auth']), undefined);
    assert.equal(signerProblem('kubernetes.io/kubelet-serving', node, ['digital signature', 'server auth']), 'DNS or IP subjectAltName is required');
  });
});

describe('the csrsigning controller\'s decision', () => {
  const csr = (o: { approved?: boolean; signer?: string; usages?: string[] }): CertificateSigningRequest => ({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c' },
    spec: { request: Buffer.from(makeCsr('alice').csr).toString('base64'), signerName: o.signer ?? 'kubernetes.io/kube-apiserver-client', usages: o.usages ?? ['client auth'], expirationSeconds: 3600 },
    status: o.approved === false ? {} : { conditions: [{ type: 'Approved', status: 'True' }] },
  });
  const opts = { ca: () => ca, durationMs: 365 * 24 * HOUR };

  it('signs approved requests of its signers only, and fails those the signer refuses', () => {
    assert.equal(signingResult(csr({ approved: false }), opts), undefined);
    assert.equal(signingResult(csr({ signer: 'example.com/other' }), opts), undefined);
    const issued = signingResult(csr({}), opts);
    const cert = new X509Certificate(Buffer.from(issued!.certificate!, 'base64'));
    assert.equal((Date.parse(cert.validTo) - Date.parse(cert.validFrom)), HOUR);
    const failed = signingResult(csr({ usages: ['server auth'] }), opts);
    assert.equal(failed?.certificate, undefined);
    assert.deepEqual(failed?.conditions?.at(-1)?.reason, 'SignerValidationFailure');
    assert.equal(failed?.conditions?.at(-1)?.message, 'invalid usage for client certificate: server auth');
  });
});

describe('ValidateSignerName', () => {
  it('wants domain/path with a dotted domain', () => {
    assert.deepEqual(validateSignerName('f', 'example.com/my-signer'), []);
    assert.equal(validateSignerName('f', '')[0]?.type, 'FieldValueRequired');
    assert.match(validateSignerName('f', 'a/b/c')[0]!.detail, /must be a fully qualified domain and path of the form 'example.com\/signer-name'/);
    assert.match(validateSignerName('f', 'example/x')[0]!.detail, /should be a domain with at least two segments separated by dots/);
    assert.match(validateSignerName('f', 'Example.com/x')[0]!.detail, /validating label "Example"/);
  });
});
