/**
 * The self-review endpoints (`kubectl auth can-i`, `kubectl auth whoami`): POST-only resources that
 * answer from the server's own authorizer (or authenticator) and store nothing, as upstream's
 * pkg/registry/authorization/{selfsubjectaccessreview,selfsubjectrulesreview} and
 * pkg/registry/authentication/selfsubjectreview. The user reviewed is
 * always the requester. Every verb but create answers 405, as upstream does for create-only
 * resources.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { fe, goValue } from '../../api/schema/errors.js';
import { validateNode } from '../../api/schema/walk.js';
import { errors, type FieldError } from '../../api/status.js';
import type { RequestAttributes } from '../authz/attributes.js';
import type { Authorization } from '../authz/authorizer.js';
import { invalid } from '../storage/errors.js';
import { checkUnknownFields } from '../storage/field-validation.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { reviewSelf, selfSubjectReviews } from './self-subject-review.js';
import {
  selfSubjectAccessReviews, selfSubjectAccessReviewSchema, selfSubjectRulesReviews, selfSubjectRulesReviewSchema,
  type SelfSubjectAccessReview, type SelfSubjectRulesReview,
} from './kinds.js';

type ReviewAuthorization = Pick<Authorization, 'decide' | 'decideNonResource' | 'rules'>;

const notAllowed = (): never => {
  throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
};

/** A storage whose only verb is create. */
function createOnly(def: ResourceDefinition, create: (ctx: RequestContext, obj: KubeObject) => Promise<KubeObject>): ResourceStorage {
  return {
    def,
    create: (ctx, _ns, obj) => create(ctx, obj),
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
function metadataErrors(obj: KubeObject): FieldError[] {
  const md = { ...(obj.metadata ?? {}) } as Record<string, unknown>;
  delete md.managedFields;
  const set = Object.entries(md).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && Object.keys(v as object).length === 0));
  return set.length ? [fe.invalid('metadata', Object.fromEntries(set), 'must be empty')] : [];
}

/**
 * Structural checks (types), unknown fields per fieldValidation, then the kind's own rules. A status
 * the client sent is dropped unchecked: the server writes it (kubectl sends `status: {allowed: false}`).
 */
function check(def: ResourceDefinition, schema: Parameters<typeof validateNode>[0], ctx: RequestContext, obj: KubeObject, own: FieldError[]): void {
  delete (obj as { status?: unknown }).status;
  checkUnknownFields(def, obj, ctx);
  const errs = validateNode(schema, obj, '');
  if (errs.length === 0) errs.push(...own);
  if (errs.length) throw invalid(def, '', errs);
}

const emptyToUndefined = (v: string | undefined): string | undefined => (v === '' ? undefined : v);

export function createReviewStorages(authz: ReviewAuthorization): ResourceStorage[] {
  const access = createOnly(selfSubjectAccessReviews, async (ctx, obj) => {
    const review = obj as SelfSubjectAccessReview;
    const spec = review.spec ?? {};
    const own: FieldError[] = [];
    if (spec.resourceAttributes && spec.nonResourceAttributes) {
      own.push(fe.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
    } else if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
      own.push({ type: 'FieldValueInvalid', field: 'spec.resourceAttributes', detail: `Invalid value: ${goValue(null)}: exactly one of nonResourceAttributes or resourceAttributes must be specified` });
    }
    check(selfSubjectAccessReviews, selfSubjectAccessReviewSchema, ctx, review, [...metadataErrors(review), ...own]);
    const user = { name: ctx.user, groups: ctx.groups };
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
    // The node authorizer has no opinion on what it does not allow (upstream's NoOpinion), so
    // `denied` is never set: with RBAC absent nothing denies explicitly.
    const reason = decision.allowed ? undefined : decision.reason;
    return { ...review, status: { allowed: decision.allowed, ...(reason ? { reason } : {}) } };
  });

  const rules = createOnly(selfSubjectRulesReviews, async (ctx, obj) => {
    const review = obj as SelfSubjectRulesReview;
    check(selfSubjectRulesReviews, selfSubjectRulesReviewSchema, ctx, review, []);
    const namespace = review.spec?.namespace ?? '';
    if (!namespace) throw errors.badRequest('no namespace on request');
    // Upstream answers with a new object: the status alone.
    return { apiVersion: review.apiVersion, kind: review.kind, metadata: {}, spec: {}, status: authz.rules({ name: ctx.user, groups: ctx.groups }, namespace) };
  });

  const self = createOnly(selfSubjectReviews, async (ctx, obj) => {
    checkUnknownFields(selfSubjectReviews, obj, ctx);
    return reviewSelf(ctx, obj);
  });

  return [access, rules, self];
}
