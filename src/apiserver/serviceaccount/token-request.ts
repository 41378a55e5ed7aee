/**
 * serviceaccounts/token (POST an authentication.k8s.io/v1 TokenRequest), as upstream's
 * pkg/registry/core/serviceaccount/storage/token.go: a JWT for the ServiceAccount, optionally bound
 * to a Pod, Secret or Node in its namespace (by name, with the uid checked when given), for the
 * requested audiences (default: the API server's) and lifetime (default 1 h, at least 10 min, at
 * most 2^32 s, capped by the server's maximum when one is set). A token for a pod of the API's own
 * audiences asked for 3607 s (what the kubelet asks for kube-api-access) lives a year with a
 * warnafter claim, as --service-account-extend-token-expiration (default true); its status still
 * says 3607 s, so the agent refreshes it as if. A node (system:node:<name>) may ask only for tokens
 * bound to its own pods (NodeRestriction's admitServiceAccount).
 */
import type { KubeObject } from '../../api/meta.js';
import { fe } from '../../api/schema/errors.js';
import { errors, failure, formatFieldError, type FieldError } from '../../api/status.js';
import { nodeNameOf } from '../authz/node-authorizer.js';
import { nowTimestamp } from '../storage/object-meta.js';
import type { ActionSubresource, RequestContext, ResourceStorage } from '../storage/types.js';
import { boundClaims, type ObjectRef } from './claims.js';
import type { TokenSigner } from './token-signer.js';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** What the kubelet asks for its projected kube-api-access token (WarnOnlyBoundTokenExpirationSeconds). */
export const KUBELET_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

export interface TokenRequestBody extends KubeObject {
  spec?: {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

export interface TokenRequestDeps {
  signer: TokenSigner;
  /** The API server's audiences (--api-audiences), default [issuer]. */
  audiences: string[];
  /** --service-account-max-token-expiration in seconds (0: none). */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
  storage(plural: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes'): ResourceStorage | undefined;
}

const GK = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

function validate(tr: TokenRequestBody, name: string, namespace: string): FieldError[] {
  const errs: FieldError[] = [];
  if (tr.metadata?.name && tr.metadata.name !== name) errs.push(fe.invalid('metadata.name', tr.metadata.name, 'must match the service account name if specified'));
  if (tr.metadata?.namespace && tr.metadata.namespace !== namespace) errs.push(fe.invalid('metadata.namespace', tr.metadata.namespace, 'must match the service account namespace if specified'));
  const spec = tr.spec ?? {};
  if (spec.audiences !== undefined && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string'))) {
    errs.push(fe.typeInvalid('spec.audiences', spec.audiences, 'must be a list of strings'));
  }
  const exp = spec.expirationSeconds;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) errs.push(fe.typeInvalid('spec.expirationSeconds', exp, 'must be an integer'));
  else if (exp < MIN_EXPIRATION_SECONDS) errs.push(fe.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
  else if (exp > MAX_EXPIRATION_SECONDS) errs.push(fe.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** 422 as errors.NewInvalid(TokenRequest's GroupKind, name, errs) words it. */
const invalid = (name: string, errs: FieldError[]) =>
  failure(422, 'Invalid', `${GK.kind}.${GK.group} "${name}" is invalid: ${errs.map(formatFieldError).join(', ')}`, {
    name, group: GK.group, kind: GK.kind, causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });

export class TokenRequestAction implements ActionSubresource {
  readonly resource = 'serviceaccounts';
  readonly subresource = 'token';

  constructor(private readonly deps: TokenRequestDeps) {}

  async create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
    const ns = namespace ?? '';
    const tr = body as TokenRequestBody;
    tr.spec ??= {};
    tr.spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
    const errs = validate(tr, name, ns);
    if (errs.length) throw invalid(name, errs);
    const sa = await this.get(ctx, 'serviceaccounts', ns, name);
    await this.admitNode(ctx, ns, name, tr);
    let pod: ObjectRef | undefined;
    let secret: ObjectRef | undefined;
    let node: ObjectRef | undefined;
    const ref = tr.spec.boundObjectRef;
    if (ref) {
      const group = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[0]! : '';
      const refName = ref.name ?? '';
      let bound: KubeObject;
      if (group === '' && ref.kind === 'Pod') {
        bound = await this.get(ctx, 'pods', ns, refName);
        const podSa = (bound.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? '';
        if (podSa !== name) throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to pod running with serviceaccount "${podSa}"`);
        pod = { name: refName, uid: bound.metadata.uid ?? '' };
        node = await this.podNode(ctx, (bound.spec as { nodeName?: string } | undefined)?.nodeName);
      } else if (group === '' && ref.kind === 'Secret') {
        bound = await this.get(ctx, 'secrets', ns, refName);
        secret = { name: refName, uid: bound.metadata.uid ?? '' };
      } else if (group === '' && ref.kind === 'Node') {
        bound = await this.get(ctx, 'nodes', undefined, refName);
        node = { name: refName, uid: bound.metadata.uid ?? '' };
      } else {
        throw errors.badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
      }
      if (ref.uid && ref.uid !== bound.metadata.uid) {
        throw failure(409, 'Conflict', `Operation cannot be fulfilled on ${ref.kind} "${refName}": the UID in the bound object reference (${ref.uid}) does not match the UID in record (${bound.metadata.uid}). The object might have been deleted and then recreated`,
          { name: refName, kind: ref.kind });
      }
    }
    const max = this.deps.maxExpirationSeconds ?? 0;
    if (max > 0 && tr.spec.expirationSeconds > max) {
      ctx.warnings.push(`requested expiration of ${tr.spec.expirationSeconds} seconds shortened to ${max} seconds`);
      tr.spec.expirationSeconds = max;
    }
    if (!tr.spec.audiences?.length) tr.spec.audiences = [...this.deps.audiences];
    const now = Date.now();
    const seconds = tr.spec.expirationSeconds;
    const extend = (this.deps.extendExpiration ?? true) && pod !== undefined && seconds === KUBELET_EXPIRATION_SECONDS
      && tr.spec.audiences.every((a) => this.deps.audiences.includes(a));
    const claims = boundClaims({
      issuer: this.deps.signer.issuer, serviceAccount: { namespace: ns, name, uid: sa.metadata.uid ?? '' },
      pod, secret, node, audiences: tr.spec.audiences, expirationSeconds: extend ? EXTENDED_EXPIRATION_SECONDS : seconds, now,
    });
    if (extend) claims['kubernetes.io'].warnafter = claims.iat + seconds;
    const token = await this.deps.signer.sign(claims);
    return {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { ...tr.metadata, name, namespace: ns, creationTimestamp: nowTimestamp() },
      spec: tr.spec,
      status: { token, expirationTimestamp: new Date(now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    };
  }

  /**
   * NodeRestriction's admitServiceAccount: a node may ask only for tokens bound to a pod that is
   * scheduled to it (a Node binding could be spoofed), the uid matching when given.
   */
  private async admitNode(ctx: RequestContext, ns: string, name: string, tr: TokenRequestBody): Promise<void> {
    const node = nodeNameOf({ name: ctx.user, groups: ctx.groups });
    if (node === undefined) return;
    const forbid = (why: string) => failure(403, 'Forbidden', `serviceaccounts "${name}" is forbidden: ${why}`, { name, kind: 'serviceaccounts' });
    const ref = tr.spec?.boundObjectRef;
    if (!ref || ref.kind !== 'Pod') throw forbid('node requested token not bound to a pod');
    const pod = await this.get(ctx, 'pods', ns, ref.name ?? '');
    if (ref.uid && ref.uid !== pod.metadata.uid) {
      throw forbid(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node) throw forbid('node requested token bound to a pod scheduled on a different node');
  }

  private async get(ctx: RequestContext, plural: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', ns: string | undefined, name: string): Promise<KubeObject> {
    const storage = this.deps.storage(plural);
    if (!storage) throw errors.notFound({ kind: plural, resource: plural, name });
    // The requester's own rights are checked on serviceaccounts/token only, as upstream: read as the server.
    return storage.get({ ...ctx, user: 'system:apiserver', groups: ['system:masters'] }, ns, name);
  }

  /** The pod's node for the token's node claim; none when unscheduled or gone (upstream logs and goes on). */
  private async podNode(ctx: RequestContext, nodeName: string | undefined): Promise<ObjectRef | undefined> {
    if (!nodeName) return undefined;
    try {
      const n = await this.get(ctx, 'nodes', undefined, nodeName);
      return { name: nodeName, uid: n.metadata.uid ?? '' };
    } catch {
      return undefined;
    }
  }
}
