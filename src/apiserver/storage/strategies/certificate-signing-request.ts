/**
 * certificates.k8s.io CertificateSigningRequest, as upstream's pkg/registry/certificates/certificates
 * strategy.go: on create the requester's identity (username, uid, groups, extra) is written into spec
 * from the request, never from the body, and status is cleared; the main resource changes neither
 * spec nor status; /status changes status but keeps the Approved/Denied conditions as stored;
 * /approval (csr-approval in src/apiserver/certificates) changes only the conditions, keeping the certificate.
 * New conditions get lastUpdateTime and lastTransitionTime filled in. The CertificateSubjectRestriction
 * admission refuses kube-apiserver-client requests for the system:masters group.
 */
import { KUBE_APISERVER_CLIENT_SIGNER, type CertificateSigningRequest, type CertificateSigningRequestCondition } from '../../../api/kinds/certificates/certificate-signing-request.js';
import { decodeBytes } from '../../../api/kinds/certificates/csr-validation.js';
import { parseCsr } from '../../../api/certificates/pkcs10.js';
import type { KubeObject } from '../../../api/meta.js';
import { failure } from '../../../api/status.js';
import { nowTimestamp } from '../object-meta.js';
import type { Strategy } from './types.js';

const APPROVAL_TYPES = new Set(['Approved', 'Denied']);

/** Conditions of `from` whose type `pick` selects, then those of `keep` it does not (upstream's preserveConditionInstances). */
function mergeConditions(fromNew: CertificateSigningRequest, old: CertificateSigningRequest, newOwns: (type: string) => boolean): CertificateSigningRequestCondition[] {
  const mine = conditionsOf(fromNew).filter((c) => newOwns(c.type));
  const kept = conditionsOf(old).filter((c) => !newOwns(c.type));
  return [...kept, ...mine];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function conditionsOf(csr: CertificateSigningRequest): CertificateSigningRequestCondition[] {
  const conds: unknown = (csr.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conds) ? conds.filter(isObject) as CertificateSigningRequestCondition[] : [];
}

/** Whether status is an object whose conditions (if any) are a list of objects: else validation names the field (422, not 500). */
function statusShapeOk(csr: CertificateSigningRequest): boolean {
  const st: unknown = csr.status;
  if (st === undefined) return true;
  if (!isObject(st)) return false;
  return st.conditions === undefined || (Array.isArray(st.conditions) && st.conditions.every(isObject));
}

/** populateConditionTimestamps: a new or changed condition gets now, an unchanged one keeps its transition time. */
function fillTimestamps(csr: CertificateSigningRequest, old: CertificateSigningRequest | undefined): void {
  const now = nowTimestamp();
  for (const c of conditionsOf(csr)) {
    c.lastUpdateTime ??= now;
    if (c.lastTransitionTime) continue;
    const before = old?.status?.conditions?.find((o) => o.type === c.type);
    c.lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
  }
}

function setConditions(csr: CertificateSigningRequest, conditions: CertificateSigningRequestCondition[]): void {
  csr.status = { ...(csr.status ?? {}), conditions };
  if (conditions.length === 0) delete csr.status.conditions;
}

/**
 * What /approval may change: the conditions, all of them as sent (csrApprovalStrategy's
 * PrepareForUpdate: spec and the rest of status, the certificate, stay as stored).
 */
export function prepareApproval(obj: KubeObject, old: KubeObject): void {
  const csr = obj as CertificateSigningRequest;
  const prev = old as CertificateSigningRequest;
  csr.spec = structuredClone(prev.spec);
  if (!statusShapeOk(csr)) return;
  setConditions(csr, conditionsOf(csr));
  if (prev.status?.certificate) csr.status!.certificate = prev.status.certificate;
  else delete csr.status!.certificate;
  fillTimestamps(csr, prev);
}

export const certificateSigningRequestStrategy: Strategy<CertificateSigningRequest> = {
  prepareForCreate(csr, ctx) {
    delete csr.status;
    if (!csr.spec || typeof csr.spec !== 'object') return;
    delete csr.spec.username;
    delete csr.spec.uid;
    delete csr.spec.groups;
    delete csr.spec.extra;
    csr.spec.username = ctx.user;
    if (ctx.uid) csr.spec.uid = ctx.uid;
    if (ctx.groups.length) csr.spec.groups = [...ctx.groups];
    if (ctx.extra && Object.keys(ctx.extra).length) csr.spec.extra = structuredClone(ctx.extra);
  },
  prepareForUpdate(obj, old) {
    obj.spec = structuredClone(old.spec);
  },
  prepareForStatusUpdate(csr, prev) {
    csr.spec = structuredClone(prev.spec);
    if (!statusShapeOk(csr)) return;
    setConditions(csr, mergeConditions(csr, prev, (t) => !APPROVAL_TYPES.has(t)));
    fillTimestamps(csr, prev);
  },
  async admit(csr) {
    if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_SIGNER) return;
    let groups: string[];
    try {
      groups = parseCsr(decodeBytes(csr.spec.request)).organizations;
    } catch {
      return; // validation reports the bad request
    }
    if (groups.includes('system:masters')) {
      const name = csr.metadata?.name ?? '';
      throw failure(403, 'Forbidden', `certificatesigningrequests.certificates.k8s.io "${name}" is forbidden: use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`,
        { name, group: 'certificates.k8s.io', kind: 'certificatesigningrequests' });
    }
  },
};
