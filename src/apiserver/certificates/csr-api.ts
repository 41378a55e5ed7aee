/**
 * The parts of certificates.k8s.io that need the server's authorizer, attached to the served
 * storages: the /approval action (CertificateApproval admission) and the /status signing check
 * (CertificateSigning admission). Storages without CertificateSigningRequests pass through.
 */
import { GenericStorage } from '../storage/generic-storage.js';
import type { ActionSubresource, ResourceStorage } from '../storage/types.js';
import { CsrApproval } from './csr-approval.js';
import { withCsrSigning } from './csr-signing-admission.js';
import type { Decide } from './signer-authz.js';

export function withCsrApi(storages: ResourceStorage[], decide: Decide): { storages: ResourceStorage[]; actions: ActionSubresource[] } {
  const csrs = storages.find((s) => s.def.group === 'certificates.k8s.io' && s.def.plural === 'certificatesigningrequests');
  return {
    storages: storages.map((s) => withCsrSigning(s, decide)),
    actions: csrs instanceof GenericStorage ? [new CsrApproval(csrs, decide)] : [],
  };
}
