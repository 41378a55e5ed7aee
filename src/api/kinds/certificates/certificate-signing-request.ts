/**
 * certificates.k8s.io/v1 CertificateSigningRequest: schema (upstream's k8s.io/api/certificates/v1
 * types.go, descriptions trimmed), printer columns (printCertificateSigningRequest) and the kind's
 * validation (csr-validation.ts). Cluster-scoped; spec is immutable and spec.username/uid/groups/extra
 * are set by the server from the requester (the storage strategy); approval conditions move only
 * through /approval, the certificate only through /status.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { humanDuration } from '../../table/age.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameValidator } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { validateCsr, validateCsrUpdate } from './csr-validation.js';

const PKG = 'io.k8s.api.certificates.v1';

/** The signer of users' client certificates (upstream's constant; the others are in src/api/certificates/signer-rules.ts). */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

export const csrConditionSchema = s.object({
  type: s.string('type of the condition. Known conditions are "Approved", "Denied", and "Failed".\n\nAn "Approved" condition is added via the /approval subresource, indicating the request was approved and should be issued by the signer.\n\nA "Denied" condition is added via the /approval subresource, indicating the request was denied and should not be issued by the signer.\n\nA "Failed" condition is added via the /status subresource, indicating the signer failed to issue the certificate.\n\nApproved and Denied conditions are mutually exclusive. Approved, Denied, and Failed conditions cannot be removed once added.\n\nOnly one condition of a given type is allowed.'),
  status: s.string('status of the condition, one of True, False, Unknown. Approved, Denied, and Failed conditions may not be "False" or "Unknown".'),
  reason: s.string('reason indicates a brief reason for the request state'),
  message: s.string('message contains a human readable message with details about the request state'),
  lastUpdateTime: s.time('lastUpdateTime is the time of the last update to this condition'),
  lastTransitionTime: s.time('lastTransitionTime is the time the condition last transitioned from one status to another. If unset, when a new condition type is added or an existing condition\'s status is changed, the server defaults this to the current time.'),
}, { name: `${PKG}.CertificateSigningRequestCondition`, required: ['type', 'status'], description: 'CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object' });

export const csrSpecSchema = s.object({
  request: s.bytes('request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.'),
  signerName: s.string('signerName indicates the requested signer, and is a qualified name.\n\nList/watch requests for CertificateSigningRequests can filter on this field using a "spec.signerName=NAME" fieldSelector.\n\nWell-known Kubernetes signers are:\n 1. "kubernetes.io/kube-apiserver-client": issues client certificates that can be used to authenticate to kube-apiserver.\n 2. "kubernetes.io/kube-apiserver-client-kubelet": issues client certificates that kubelets use to authenticate to kube-apiserver.\n 3. "kubernetes.io/kubelet-serving" issues serving certificates that kubelets use to serve TLS endpoints, which kube-apiserver can connect to securely.\n\nCustom signerNames can also be specified.'),
  expirationSeconds: s.int('expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.'),
  usages: s.array(s.string(), { description: 'usages specifies a set of key usages requested in the issued certificate.\n\nRequests for TLS client certificates typically request: "digital signature", "key encipherment", "client auth".\n\nRequests for TLS serving certificates typically request: "key encipherment", "digital signature", "server auth".', listType: 'atomic' }),
  username: s.string('username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
  uid: s.string('uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
  groups: s.array(s.string(), { description: 'groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.', listType: 'atomic' }),
  extra: s.map(s.strings(), { description: 'extra contains extra attributes of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.' }),
}, { name: `${PKG}.CertificateSigningRequestSpec`, required: ['request', 'signerName'], description: 'CertificateSigningRequestSpec contains the certificate request.' });

export const csrStatusSchema = s.object({
  conditions: s.array(csrConditionSchema, { description: 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".', listType: 'map', listMapKeys: ['type'] }),
  certificate: s.bytes('certificate is populated with an issued certificate by the signer after an Approved condition is present. This field is set via the /status subresource. Once populated, this field is immutable.\n\nIf the certificate signing request is denied, a condition of type "Denied" is added and this field remains empty. If the signer cannot issue the certificate, a condition of type "Failed" is added and this field remains empty.'),
}, { name: `${PKG}.CertificateSigningRequestStatus`, description: 'CertificateSigningRequestStatus contains conditions used to indicate approved/denied/failed status of the request, and the issued certificate.' });

export const csrSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...csrSpecSchema, description: 'spec contains the certificate request, and is immutable after creation. Only the request, signerName, expirationSeconds, and usages fields can be set on creation. Other fields are derived by Kubernetes and cannot be modified by users.' },
  status: { ...csrStatusSchema, description: 'status contains information about whether the request is approved or denied, and the issued certificate by the signer, or the failure condition indicating signer failure.' },
}, { name: `${PKG}.CertificateSigningRequest`, required: ['spec'], gvk: gvk('certificates.k8s.io', 'v1', 'CertificateSigningRequest'), description: 'CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.' });

export type CertificateSigningRequest = Infer<typeof csrSchema> & { metadata: ObjectMeta };
export type CertificateSigningRequestCondition = Infer<typeof csrConditionSchema>;

const hasCondition = (csr: CertificateSigningRequest, type: string): boolean => (csr.status?.conditions ?? []).some((c) => c.type === type);

/** Approved and not Denied (upstream's IsCertificateRequestApproved). */
export function isCsrApproved(csr: CertificateSigningRequest): boolean {
  const conds = csr.status?.conditions ?? [];
  return conds.some((c) => c.type === 'Approved' && c.status === 'True') && !conds.some((c) => c.type === 'Denied' && c.status === 'True');
}

/** The CONDITION column (extractCSRStatus): Denied|Approved|Pending, then ,Failed and ,Issued. */
export function csrConditionCell(csr: CertificateSigningRequest): string {
  let out = hasCondition(csr, 'Denied') ? 'Denied' : hasCondition(csr, 'Approved') ? 'Approved' : 'Pending';
  if (hasCondition(csr, 'Failed')) out += ',Failed';
  if (csr.status?.certificate) out += ',Issued';
  return out;
}

/** Upstream does not restrict CSR names (ValidateCertificateRequestName); they must still be path segments. */
const csrName = nameValidator((v) => (v === '.' || v === '..' || /[/%]/.test(v) ? [`may not be '.', '..' or contain '/' or '%'`] : []));

export const certificateSigningRequests = defineKind<CertificateSigningRequest>({
  group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', namespaced: false,
  shortNames: ['csr'], subresources: ['status'],
  schema: csrSchema, nameValidator: csrName,
  validate: validateCsr, validateUpdate: validateCsrUpdate,
  hasStatusSubresource: true,
  selectableFields: (csr) => ({ 'spec.signerName': csr.spec?.signerName ?? '' }),
  ageAt: 0,
  columns: [
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  cells: (csr) => [
    csr.spec?.signerName || NONE,
    csr.spec?.username ?? '',
    csr.spec?.expirationSeconds !== undefined ? humanDuration(csr.spec.expirationSeconds * 1000) : NONE,
    csrConditionCell(csr),
  ],
  protobufMessage: 'k8s.io.api.certificates.v1.CertificateSigningRequest',
});
