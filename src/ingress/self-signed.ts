/**
 * The default certificate of the https port, as ingress-nginx's "Kubernetes Ingress Controller Fake
 * Certificate" (internal/net/ssl/ssl.go GetFakeSSLCert: self-signed, generated at every start,
 * O=Acme Co, DNS name ingress.local, a year long): served to a client whose SNI names no host with a
 * certificate, or that sends no SNI, so the handshake completes and the client sees a certificate it
 * will not trust rather than a reset. Encoded here with node:crypto and a few lines of DER, because
 * the certificate libraries (node-forge) may not be in a node's bundle (test/package/agent-bundle).
 * An ECDSA P-256 key, signed ecdsa-with-SHA256.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';
const FAKE_CERTIFICATE_DNS = 'ingress.local';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

/**
 * An unsigned number as a DER INTEGER, minimal as DER requires (no leading zero byte, one 0x00
 * before a set top bit), as Go's asn1 marshals ingress-nginx's rand.Int(rand.Reader, 2^128) serial.
 * (Clearing the top bit of 16 random bytes left a leading 0x00 one time in 256: OpenSSL then
 * refused the certificate, "illegal padding".)
 */
function derUnsigned(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.subarray(i);
  return der(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

const rdn = (type: string, value: string): Buffer => der(0x31, seq(oid(type), der(0x0c, Buffer.from(value, 'utf8'))));

/** A self-signed serving certificate and its key, PEM; `serialBytes`: the serial's random bytes. */
export function fakeCertificate(now = new Date(), serialBytes = randomBytes(16)): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(rdn('2.5.4.10', 'Acme Co'), rdn('2.5.4.3', FAKE_CERTIFICATE_CN));
  const extensions = seq(
    seq(oid('2.5.29.15'), der(0x01, Buffer.from([0xff])), der(0x04, der(0x03, Buffer.from([0x07, 0x80])))), // keyUsage: digitalSignature, critical
    seq(oid('2.5.29.37'), der(0x04, seq(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
    seq(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, seq())), // basicConstraints: not a CA, critical
    seq(oid('2.5.29.17'), der(0x04, seq(der(0x82, Buffer.from(FAKE_CERTIFICATE_DNS))))), // subjectAltName
  );
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    derUnsigned(serialBytes),
    ecdsaSha256,
    name,
    seq(time(now), time(new Date(now.getTime() + YEAR_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, ecdsaSha256, der(0x03, Buffer.from([0]), signature));
  const lines = cert.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
