/**
 * The CertificateSigning admission (plugin/pkg/admission/certificates/signing): a write through
 * certificatesigningrequests/status that sets or changes status.certificate needs `sign` on the
 * request's signer, else 403 `user not permitted to sign requests with signerName "..."`. The
 * decision is taken before the write (signerName is immutable) and applied by the update admission
 * hook, so PUT and PATCH are both covered.
 */
import type { CertificateSigningRequest } from '../../api/kinds/certificates/certificate-signing-request.js';
import type { KubeObject } from '../../api/meta.js';
import type { RequestContext, ResourceStorage, StorageSubresource } from '../storage/types.js';
import { authorizedForSigner, csrForbidden, type Decide } from './signer-authz.js';

async function withSigningCheck(storage: ResourceStorage, decide: Decide, ctx: RequestContext, name: string): Promise<RequestContext> {
  const current = await storage.get(ctx, undefined, name) as CertificateSigningRequest;
  const signer = current.spec.signerName;
  const user = { name: ctx.user, groups: ctx.groups, ...(ctx.uid ? { uid: ctx.uid } : {}), ...(ctx.extra ? { extra: ctx.extra } : {}) };
  const maySign = await authorizedForSigner(decide, user, 'sign', signer);
  const outer = ctx.admitUpdate;
  return {
    ...ctx,
    admitUpdate: (obj: KubeObject, old: KubeObject, sub?: string) => {
      outer?.(obj, old, sub);
      const cert = (obj as CertificateSigningRequest).status?.certificate ?? '';
      if (!maySign && cert && cert !== ((old as CertificateSigningRequest).status?.certificate ?? '')) {
        throw csrForbidden(name, `user not permitted to sign requests with signerName "${signer}"`);
      }
    },
  };
}

/** `storage` itself unless it is the CSR storage, which gets the signing check on /status writes. */
export function withCsrSigning(storage: ResourceStorage, decide: Decide): ResourceStorage {
  if (storage.def.group !== 'certificates.k8s.io' || storage.def.plural !== 'certificatesigningrequests') return storage;
  const wrapped: ResourceStorage = Object.create(storage) as ResourceStorage;
  wrapped.update = async (ctx, ns, name, obj, sub?: StorageSubresource) =>
    storage.update(sub === 'status' ? await withSigningCheck(storage, decide, ctx, name) : ctx, ns, name, obj, sub);
  wrapped.patch = async (ctx, ns, name, patch, sub?: StorageSubresource) =>
    storage.patch(sub === 'status' ? await withSigningCheck(storage, decide, ctx, name) : ctx, ns, name, patch, sub);
  return wrapped;
}
