/**
 * Issuing a certificate for a PKCS#10 request from a CA, as upstream's csrsigning controller does
 * (pkg/controller/certificates/authority/authority.go and signer.go): the request's own subject and
 * SANs, the key usages named by the CSR's `usages`, not a CA, valid from 5 minutes back (backdate)
 * for the signer's duration (capped at the CA's own expiry). The public key is copied from the
 * request as sent, so RSA, ECDSA and Ed25519 requests can all be signed; the CA key signs with
 * SHA-256 (Bosun's cluster CA is RSA).
 */
import { createHash, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { children, readDer } from './der.js';
import type { ParsedCsr } from './pkcs10.js';

/** Backdating of notBefore, as upstream's signer (clock skew between machines). */
export const BACKDATE_MS = 5 * 60 * 1000;

/** usages -> X.509 keyUsage bits (forge names), upstream's keyUsageDict. */
const KEY_USAGES: Record<string, string> = {
  signing: 'digitalSignature', 'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment', 'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign', 'crl sign': 'cRLSign', 'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};

/** usages -> extended key usage OIDs, upstream's extKeyUsageDict. */
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0', 'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 's/mime': '1.3.6.1.5.5.7.3.4', 'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6', 'ipsec user': '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9', 'microsoft sgc': '1.3.6.1.4.1.311.10.3.3', 'netscape sgc': '2.16.840.1.113730.4.1',
};

/** Every usage a CSR may name (upstream's validation accepts exactly these). */
export const KNOWN_USAGES: readonly string[] = [...Object.keys(KEY_USAGES), ...Object.keys(EXT_KEY_USAGES)];

export interface SignCsrOptions {
  ca: { cert: string; key: string };
  usages: readonly string[];
  /** Validity; the signer's choice (see csrDuration). */
  durationMs: number;
  now?: number;
}

const binary = (b: Buffer): string => b.toString('binary');
const fromForge = (node: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
const toForge = (b: Buffer): forge.asn1.Asn1 => forge.asn1.fromDer(forge.util.createBuffer(binary(b)), { decodeBitStrings: false } as never);

function extensions(csr: ParsedCsr, usages: readonly string[], caCert: forge.pki.Certificate): object[] {
  const ku: Record<string, boolean> = {};
  const eku: Record<string, boolean> = {};
  for (const u of usages) {
    if (KEY_USAGES[u]) ku[KEY_USAGES[u]] = true;
    if (EXT_KEY_USAGES[u]) eku[EXT_KEY_USAGES[u]] = true;
  }
  const bitString = children(readDer(csr.spkiDer))[1]!.body.subarray(1);
  const exts: object[] = [{ name: 'basicConstraints', cA: false, critical: true }];
  if (Object.keys(ku).length) exts.push({ name: 'keyUsage', critical: true, ...ku });
  // Built here: forge's extKeyUsage takes OID keys only when they are not in its own OID table.
  const ekuOids = Object.keys(eku).map((oid) => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(oid).getBytes()));
  if (ekuOids.length) exts.push({ id: '2.5.29.37', value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, ekuOids) });
  exts.push({ name: 'subjectKeyIdentifier', subjectKeyIdentifier: createHash('sha1').update(bitString).digest('hex') });
  exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() });
  if (csr.sanDer) exts.push({ id: '2.5.29.17', value: binary(csr.sanDer) });
  return exts;
}

/** The signed certificate (PEM) for `csr`. */
export function signCsr(csr: ParsedCsr, o: SignCsrOptions): string {
  const now = o.now ?? Date.now();
  const caCert = forge.pki.certificateFromPem(o.ca.cert);
  const cert = forge.pki.createCertificate();
  // A placeholder key: the request's own SubjectPublicKeyInfo replaces it in the signed bytes.
  cert.publicKey = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  const notAfter = now + o.durationMs - BACKDATE_MS;
  cert.validity.notAfter = new Date(Math.min(notAfter, caCert.validity.notAfter.getTime()));
  cert.setIssuer(caCert.subject.attributes);
  cert.setSubject([]);
  cert.setExtensions(extensions(csr, o.usages, caCert));
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  // TBSCertificate: version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions.
  (tbs.value as forge.asn1.Asn1[])[5] = toForge(csr.subjectDer);
  (tbs.value as forge.asn1.Asn1[])[6] = toForge(csr.spkiDer);
  const tbsDer = fromForge(tbs);
  const signature = sign('sha256', tbsDer, o.ca.key);
  const algId = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption!).getBytes()),
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''),
  ]);
  const certificate = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
    toForge(tbsDer), algId,
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, `\0${binary(signature)}`),
  ]);
  const b64 = fromForge(certificate).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/**
 * The duration the signer issues for (upstream signer.go `duration`): the signer's own TTL, or the
 * requested expirationSeconds when shorter, but never under 10 minutes.
 */
export function csrDuration(expirationSeconds: number | undefined, signerTtlMs: number): number {
  if (expirationSeconds === undefined) return signerTtlMs;
  const requested = expirationSeconds * 1000;
  return Math.max(10 * 60 * 1000, Math.min(signerTtlMs, requested));
}
