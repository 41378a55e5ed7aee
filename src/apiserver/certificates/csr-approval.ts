/**
 * certificatesigningrequests/approval (PUT a CertificateSigningRequest, as `kubectl certificate
 * approve|deny` sends it, or PATCH it; GET reads it, as upstream's ApprovalREST): changes only the Approved and Denied conditions (strategy:
 * prepareApproval), after the CertificateApproval admission (plugin/pkg/admission/certificates/
 * approval): the user needs `approve` on the request's signer, else 403 `user not permitted to
 * approve requests with signerName "..."`.
 */
import type { CertificateSigningRequest } from '../../api/kinds/certificates/certificate-signing-request.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { errors } from '../../api/status.js';
import type { GenericStorage } from '../storage/generic-storage.js';
import { prepareApproval } from '../storage/strategies/certificate-signing-request.js';
import { patchObject } from '../storage/patch-adapter.js';
import { putPreconditions, type StoragePreconditions } from '../storage/preconditions.js';
import type { ActionSubresource, PatchRequest, RequestContext } from '../storage/types.js';
import { updateObject } from '../storage/update.js';
import { authorizedForSigner, csrForbidden, type Decide } from './signer-authz.js';

export class CsrApproval implements ActionSubresource {
  readonly resource = 'certificatesigningrequests';
  readonly subresource = 'approval';
  readonly admittedAs: ResourceDefinition;

  constructor(private readonly csrs: GenericStorage, private readonly decide: Decide) {
    this.admittedAs = csrs.def;
  }

  /** Approval is a PUT upstream; a POST gets the same. */
  create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
    return this.update(ctx, namespace, name, body);
  }

  /** GET reads the whole request, as upstream's ApprovalREST.Get. */
  read(ctx: RequestContext, _namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.csrs.get(ctx, undefined, name);
  }

  update(ctx: RequestContext, _namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request must be a CertificateSigningRequest');
    return this.write(ctx, name, () => body, putPreconditions(body));
  }

  /** PATCH: the patch applied to the current request, then written as a PUT of it (only its conditions count). */
  patchWith(ctx: RequestContext, _namespace: string | undefined, name: string, patch: PatchRequest): Promise<KubeObject> {
    return this.write(ctx, name, (cur) => patchObject(this.csrs.def, cur, patch));
  }

  /** `preconditions`: a PUT body's uid (a PATCH sets none), as ApprovalREST.Update's store update. */
  private async write(ctx: RequestContext, name: string, next: (cur: KubeObject) => KubeObject, preconditions?: StoragePreconditions): Promise<KubeObject> {
    let wanted: CertificateSigningRequest['status'];
    const { object } = await updateObject(this.csrs.core, ctx, undefined, name, async (cur) => {
      if (!cur) return undefined;
      const signer = (cur as CertificateSigningRequest).spec.signerName;
      const user = { name: ctx.user, groups: ctx.groups, ...(ctx.uid ? { uid: ctx.uid } : {}), ...(ctx.extra ? { extra: ctx.extra } : {}) };
      if (!(await authorizedForSigner(this.decide, user, 'approve', signer))) {
        throw csrForbidden(name, `user not permitted to approve requests with signerName "${signer}"`);
      }
      const body = next(cur);
      wanted = structuredClone((body as CertificateSigningRequest).status);
      return body;
    }, {
      managedFieldsSubresource: 'approval',
      preconditions,
      admission: { subresource: 'approval' },
      prepare: (obj, old) => {
        (obj as CertificateSigningRequest).status = structuredClone(wanted) ?? {};
        prepareApproval(obj, old);
      },
    });
    return object;
  }
}
