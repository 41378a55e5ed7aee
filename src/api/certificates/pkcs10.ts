/**
 * PKCS#10 certificate requests, read as upstream's certificates.ParseCSR does
 * (pkg/apis/certificates/helpers.go: the first PEM block must be a CERTIFICATE REQUEST, then
 * x509.ParseCertificateRequest and CheckSignature): the subject's CN and O, the requested SANs and
 * the public key, with the self-signature checked over the request info's bytes as sent. RSA, ECDSA
 * and Ed25519 keys are understood (node:crypto verifies), as Go's crypto/x509.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { children, DerError, firstPemType, oidText, pemBlock, readDer, TAG, type Der } from './der.js';

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  /** The subject Name exactly as requested (DER), copied into an issued certificate. */
  subjectDer: Buffer;
  /** SubjectPublicKeyInfo (DER). */
  spkiDer: Buffer;
  publicKey: KeyObject;
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
  /** The subjectAltName extension's value as requested (DER), if any. */
  sanDer?: Buffer;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SAN = '2.5.29.17';

/** Signature algorithm OID -> node:crypto digest (null: none, as Ed25519). */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

export class CsrError extends Error {}

function expect(el: Der | undefined, tag: number, what: string): Der {
  if (!el || el.tag !== tag) throw new CsrError(`x509: malformed ${what}`);
  return el;
}

function nameParts(name: Der): { commonName: string; organizations: string[] } {
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of children(expect(name, TAG.SEQUENCE, 'subject'))) {
    for (const atv of children(expect(rdn, TAG.SET, 'subject'))) {
      const [oid, value] = children(expect(atv, TAG.SEQUENCE, 'subject'));
      const type = oidText(expect(oid, TAG.OID, 'subject').body);
      const text = value?.body.toString('utf8') ?? '';
      if (type === OID_CN) commonName = text;
      if (type === OID_O) organizations.push(text);
    }
  }
  return { commonName, organizations };
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function readSans(value: Buffer, out: ParsedCsr): void {
  out.sanDer = value;
  for (const gn of children(expect(readDer(value), TAG.SEQUENCE, 'subjectAltName'))) {
    const text = gn.body.toString('latin1');
    if (gn.tag === 0x82) out.dnsNames.push(text);
    else if (gn.tag === 0x81) out.emails.push(text);
    else if (gn.tag === 0x86) out.uris.push(text);
    else if (gn.tag === 0x87) out.ips.push(ipText(gn.body));
  }
}

function readAttributes(attrs: Der | undefined, out: ParsedCsr): void {
  if (!attrs) return;
  for (const attr of children(attrs)) {
    const [oid, values] = children(expect(attr, TAG.SEQUENCE, 'attribute'));
    if (oidText(expect(oid, TAG.OID, 'attribute').body) !== OID_EXTENSION_REQUEST) continue;
    for (const exts of children(expect(values, TAG.SET, 'extension request'))) {
      for (const ext of children(expect(exts, TAG.SEQUENCE, 'extensions'))) {
        const parts = children(expect(ext, TAG.SEQUENCE, 'extension'));
        const id = oidText(expect(parts[0], TAG.OID, 'extension').body);
        const value = expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extension');
        if (id === OID_SAN) readSans(value.body, out);
      }
    }
  }
}

/** Parses and verifies a PEM certificate request; throws CsrError with upstream's wording. */
export function parseCsr(pem: string): ParsedCsr {
  const der = firstPemType(pem) === 'CERTIFICATE REQUEST' ? pemBlock(pem, 'CERTIFICATE REQUEST') : undefined;
  if (!der) throw new CsrError('PEM block type must be CERTIFICATE REQUEST');
  try {
    const [info, algId, sig] = children(expect(readDer(der), TAG.SEQUENCE, 'certificate request'));
    const [, subject, spki, attrs] = children(expect(info, TAG.SEQUENCE, 'certificate request info'));
    const out: ParsedCsr = {
      ...nameParts(expect(subject, TAG.SEQUENCE, 'subject')), subjectDer: subject!.raw,
      spkiDer: expect(spki, TAG.SEQUENCE, 'public key').raw, publicKey: createPublicKey({ key: spki!.raw, format: 'der', type: 'spki' }),
      dnsNames: [], ips: [], emails: [], uris: [],
    };
    readAttributes(attrs, out);
    const alg = oidText(expect(children(expect(algId, TAG.SEQUENCE, 'signature algorithm'))[0], TAG.OID, 'signature algorithm').body);
    if (!(alg in SIGNATURE_DIGESTS)) throw new CsrError('x509: cannot verify signature: algorithm unimplemented');
    const signature = expect(sig, TAG.BIT_STRING, 'signature').body.subarray(1);
    if (!verify(SIGNATURE_DIGESTS[alg] ?? null, info!.raw, out.publicKey, signature)) throw new CsrError('x509: signature verification failure');
    return out;
  } catch (err) {
    if (err instanceof CsrError) throw err;
    if (err instanceof DerError) throw new CsrError(`x509: malformed certificate request: ${err.message}`);
    throw new CsrError(`x509: ${err instanceof Error ? err.message : String(err)}`);
  }
}
