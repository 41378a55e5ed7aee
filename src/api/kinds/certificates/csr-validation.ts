/**
 * ValidateCertificateSigningRequestCreate/Update of upstream's pkg/apis/certificates/validation
 * (v1.32): the request is a PEM CERTIFICATE REQUEST with a valid self-signature, usages present,
 * known and unique, signerName a `domain/path` qualified name (not the legacy-unknown signer),
 * expirationSeconds at least 600, conditions well-formed (Approved and Denied exclusive, each only
 * True), the certificate PEM CERTIFICATE blocks; on update no Approved/Denied/Failed condition is
 * removed and an issued certificate is never changed. Which writes may add approval conditions or
 * the certificate is the storage strategy's (each path keeps the other's fields as stored).
 */
import { X509Certificate } from 'node:crypto';
import { CsrError, parseCsr } from '../../certificates/pkcs10.js';
import { KNOWN_USAGES } from '../../certificates/sign-csr.js';
import { fe } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../meta/names.js';
import type { CertificateSigningRequest } from './certificate-signing-request.js';

const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
const SORTED_USAGES = [...KNOWN_USAGES].sort();

/** The PEM text of a base64 bytes field (undefined when not base64 text). */
export function decodeBytes(b64: string | undefined): string {
  return Buffer.from(b64 ?? '', 'base64').toString('latin1');
}

/** apivalidation.ValidateSignerName. */
export function validateSignerName(field: string, signerName: string | undefined): FieldError[] {
  if (!signerName) return [fe.required(field)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [fe.invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(fe.tooLong(field, 253));
  const labels = domain.split('.');
  for (const l of labels) {
    const bad = isDNS1123Label(l);
    if (bad.length) {
      for (const m of bad) errs.push(fe.invalid(field, domain, `validating label "${l}": ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(fe.invalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  for (const l of path.split('.')) {
    const bad = isDNS1123Subdomain(l);
    if (bad.length) {
      for (const m of bad) errs.push(fe.invalid(field, path, `validating label "${l}": ${m}`));
      break;
    }
  }
  if (path.length > 253 - 63) errs.push(fe.tooLong(field, 253 - 63));
  return errs;
}

function validateConditions(csr: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const conds = csr.status?.conditions ?? [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conds.forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push(fe.required(`${p}.type`));
    if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(fe.notSupported(`${p}.status`, c.status, ['False', 'True', 'Unknown']));
    if (c.type === 'Approved' || c.type === 'Denied' || c.type === 'Failed') {
      if (c.type === 'Approved') approved = true;
      if (c.type === 'Denied') denied = true;
      if (c.status !== 'True') errs.push(fe.invalid(`${p}.status`, c.status, `${c.type} condition may only have a status of True`));
    }
    if (seen.has(c.type)) errs.push(fe.duplicate(`${p}.type`, c.type));
    seen.add(c.type);
  });
  if (approved && denied) errs.push(fe.invalid('status.conditions', conds, 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

/** validateCertificate: one or more CERTIFICATE PEM blocks, each a parseable certificate. */
function certificateProblem(pem: string): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b[1]}"`;
    try {
      new X509Certificate(b[0]);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

export function validateCsr(csr: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const spec = csr.spec;
  try {
    parseCsr(decodeBytes(spec.request));
  } catch (err) {
    if (!(err instanceof CsrError)) throw err;
    errs.push(fe.invalid('spec.request', spec.request ?? '', err.message));
  }
  const usages = spec.usages ?? [];
  if (usages.length === 0) errs.push(fe.required('spec.usages'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!KNOWN_USAGES.includes(u)) errs.push(fe.notSupported(`spec.usages[${i}]`, u, SORTED_USAGES));
    if (seen.has(u)) errs.push(fe.duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  if (spec.signerName === LEGACY_UNKNOWN_SIGNER) errs.push(fe.invalid('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName('spec.signerName', spec.signerName));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(fe.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr));
  const cert = csr.status?.certificate;
  if (cert) {
    const problem = certificateProblem(decodeBytes(cert));
    if (problem) errs.push(fe.invalid('status.certificate', '<certificate data>', problem));
  }
  return errs;
}

const conditionsOf = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).filter((c) => c.type === type);

export function validateCsrUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (conditionsOf(csr, t).length < conditionsOf(old, t).length) errs.push(fe.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  const before = old.status?.certificate ?? '';
  if ((csr.status?.certificate ?? '') !== before && before) errs.push(fe.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return errs;
}
