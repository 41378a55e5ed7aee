/**
 * What the access-review storages share: create-only storages (every other verb 405, as upstream
 * for create-only resources), upstream's checks of a review's metadata and spec, and the answer
 * computed from the server's authorizer for the attributes a spec names.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { fe, goValue } from '../../api/schema/errors.js';
import { validateNode } from '../../api/schema/walk.js';
import { errors, type FieldError } from '../../api/status.js';
import type { RequestAttributes } from '../authz/attributes.js';
import type { Authorization } from '../authz/authorizer.js';
import type { UserInfo } from '../http/authn.js';
import { invalid } from '../storage/errors.js';
import { checkUnknownFields } from '../storage/field-validation.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import type { SelfSubjectAccessReview } from './kinds.js';

export type ReviewAuthorization = Pick<Authorization, 'decide' | 'decideNonResource' | 'rules'>;

const notAllowed = (): never => {
  throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
};

/** A storage whose only verb is create. */
export function createOnly(def: ResourceDefinition, create: (ctx: RequestContext, obj: KubeObject, namespace: string | undefined) => Promise<KubeObject>): ResourceStorage {
  return {
    def,
    noTable: true,
    create: (ctx, ns, obj) => create(ctx, obj, ns),
    get: async () => notAllowed(),
    list: async () => notAllowed(),
    watch: async () => notAllowed(),
    update: async () => notAllowed(),
    patch: async () => notAllowed(),
    delete: async () => notAllowed(),
    deleteCollection: async () => notAllowed(),
  };
}

/** Upstream requires empty metadata on a review (managedFields aside). */
export function metadataErrors(obj: KubeObject): FieldError[] {
  const md = { ...(obj.metadata ?? {}) } as Record<string, unknown>;
  delete md.managedFields;
  const set = Object.entries(md).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && Object.keys(v as object).length === 0));
  return set.length ? [fe.invalid('metadata', Object.fromEntries(set), 'must be empty')] : [];
}

/**
 * Structural checks (types), unknown fields per fieldValidation, then the kind's own rules. A status
 * the client sent is dropped unchecked: the server writes it (kubectl sends `status: {allowed: false}`).
 */
export function check(def: ResourceDefinition, schema: Parameters<typeof validateNode>[0], ctx: RequestContext, obj: KubeObject, own: FieldError[]): void {
  delete (obj as { status?: unknown }).status;
  checkUnknownFields(def, obj, ctx);
  const errs = validateNode(schema, obj, '');
  if (errs.length === 0) errs.push(...own);
  if (errs.length) throw invalid(def, '', errs);
}

export const emptyToUndefined = (v: string | undefined): string | undefined => (v === '' ? undefined : v);


type AccessSpec = NonNullable<SelfSubjectAccessReview['spec']>;

/** ValidateSelfSubjectAccessReviewSpec's (and SubjectAccessReviewSpec's) exactly-one rule. */
export function attributesErrors(spec: AccessSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [fe.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [{ type: 'FieldValueInvalid', field: 'spec.resourceAttributes', detail: `Invalid value: ${goValue(null)}: exactly one of nonResourceAttributes or resourceAttributes must be specified` }];
  }
  return [];
}

/** The review's status: the chain's decision for `user` on the attributes of `spec`, with its reason. */
export async function accessStatus(authz: ReviewAuthorization, user: UserInfo, spec: AccessSpec): Promise<{ allowed: boolean; reason?: string }> {
  let decision;
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    const a: RequestAttributes = {
      user, verb: r.verb ?? '', group: r.group ?? '', version: r.version ?? '', resource: r.resource ?? '',
      subresource: emptyToUndefined(r.subresource), namespace: emptyToUndefined(r.namespace), name: emptyToUndefined(r.name),
    };
    decision = await authz.decide(a);
  } else {
    decision = authz.decideNonResource(user, spec.nonResourceAttributes?.verb ?? '', spec.nonResourceAttributes?.path ?? '');
  }
  // Neither the node authorizer nor RBAC denies explicitly (upstream's NoOpinion), so `denied` is never set.
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}
