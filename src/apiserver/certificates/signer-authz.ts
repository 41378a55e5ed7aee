/**
 * Whether a user may act for a signer: upstream's certificates.IsAuthorizedForSignerName
 * (pkg/apis/certificates/v1/helpers.go... plugin/pkg/admission/certificates/util.go): the verb
 * (`approve` or `sign`) on resource `signers` in certificates.k8s.io, named by the exact signerName,
 * or else by its `domain/*` wildcard. The CertificateApproval and CertificateSigning admissions ask
 * it; RBAC rules grant it (e.g. `resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client], verbs: [approve]`).
 */
import { failure, type StatusError } from '../../api/status.js';
import type { RequestAttributes } from '../authz/attributes.js';
import type { Decision } from '../authz/authorizer.js';
import type { UserInfo } from '../http/authn.js';

export type Decide = (a: RequestAttributes) => Promise<Decision>;

export async function authorizedForSigner(decide: Decide, user: UserInfo, verb: 'approve' | 'sign', signerName: string): Promise<boolean> {
  const attrs = (name: string): RequestAttributes => ({ user, verb, group: 'certificates.k8s.io', version: '*', resource: 'signers', name });
  if ((await decide(attrs(signerName))).allowed) return true;
  const domain = signerName.split('/')[0];
  return (await decide(attrs(`${domain}/*`))).allowed;
}

/** admission.NewForbidden for a CSR: `certificatesigningrequests.certificates.k8s.io "x" is forbidden: ...`. */
export function csrForbidden(name: string, why: string): StatusError {
  return failure(403, 'Forbidden', `certificatesigningrequests.certificates.k8s.io "${name}" is forbidden: ${why}`,
    { name, group: 'certificates.k8s.io', kind: 'certificatesigningrequests' });
}
