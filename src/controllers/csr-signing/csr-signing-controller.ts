/**
 * The csrsigning controller (upstream pkg/controller/certificates/signer): issues certificates from
 * the cluster CA for approved CertificateSigningRequests of the built-in signers
 * (kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet, kubelet-serving). A request
 * that is not approved, is denied or failed, already has a certificate, or names another signer is
 * left alone. One the signer refuses (usages, subject) gets a Failed condition with reason
 * SignerValidationFailure. The validity is the signer's TTL (--cluster-signing-duration, one year),
 * or the request's expirationSeconds when shorter, never under 10 minutes; notBefore is backdated
 * 5 minutes. The result is written through /status, so the writer needs `sign` on the signer.
 */
import { parseCsr } from '../../api/certificates/pkcs10.js';
import { csrDuration, signCsr } from '../../api/certificates/sign-csr.js';
import { BUILT_IN_SIGNERS, signerProblem } from '../../api/certificates/signer-rules.js';
import { isCsrApproved, type CertificateSigningRequest } from '../../api/kinds/index.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

/** --cluster-signing-duration's default (8760h). */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 3600 * 1000;

export interface CsrSigningOptions {
  /** The CA that signs (PEM certificate and key); read at each signing, so a replaced CA is used at once. */
  ca?: () => { cert: string; key: string };
  /** --cluster-signing-duration in ms. */
  durationMs?: number;
}

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
const text = (b: string | undefined): string => Buffer.from(b ?? '', 'base64').toString('latin1');

/** The status to write for `csr`, or undefined when this controller has nothing to do. */
export function signingResult(csr: CertificateSigningRequest, o: Required<CsrSigningOptions>, now = Date.now()): CertificateSigningRequest['status'] | undefined {
  const st = csr.status ?? {};
  if (!isCsrApproved(csr) || (st.conditions ?? []).some((c) => c.type === 'Failed' && c.status === 'True') || st.certificate) return undefined;
  if (!BUILT_IN_SIGNERS.includes(csr.spec.signerName)) return undefined;
  const req = parseCsr(text(csr.spec.request));
  const usages = csr.spec.usages ?? [];
  const problem = signerProblem(csr.spec.signerName, req, usages);
  if (problem) {
    const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    return { ...st, conditions: [...(st.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: at }] };
  }
  const cert = signCsr(req, { ca: o.ca(), usages, durationMs: csrDuration(csr.spec.expirationSeconds, o.durationMs), now });
  return { ...st, certificate: b64(cert) };
}

export function addCsrSigningController(mgr: Manager, opts: CsrSigningOptions = {}): Controller {
  const ca = opts.ca;
  const csrs = mgr.informers.informerFor<CertificateSigningRequest>(resources.certificatesigningrequests);
  return mgr.controller('csrsigning')
    .for(resources.certificatesigningrequests)
    .complete(async (req) => {
      // Without the CA's key (a controller manager that is not on the server) there is nothing to sign with.
      if (!ca) return;
      const csr = csrs.indexer.get(req.name);
      if (!csr) return;
      const status = signingResult(csr, { ca, durationMs: opts.durationMs ?? DEFAULT_SIGNING_DURATION_MS });
      if (!status) return;
      try {
        await mgr.client.updateStatus(resources.certificatesigningrequests, undefined, { ...csr, status });
      } catch (err) {
        // A newer version (approved again, already signed) or a deleted request: its event comes next.
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    });
}
