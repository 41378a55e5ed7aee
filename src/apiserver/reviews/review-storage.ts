/**
 * The self-review endpoints (`kubectl auth can-i`, `kubectl auth whoami`): POST-only resources that
 * answer from the server's own authorizer (or authenticator) and store nothing, as upstream's
 * pkg/registry/authorization/{selfsubjectaccessreview,selfsubjectrulesreview} and
 * pkg/registry/authentication/selfsubjectreview (the user reviewed is the requester), and
 * SubjectAccessReview / LocalSubjectAccessReview (subject-access-review.ts). Every verb but create
 * answers 405, as upstream does for create-only resources.
 */
import { errors } from '../../api/status.js';
import { checkUnknownFields } from '../storage/field-validation.js';
import type { ResourceStorage } from '../storage/types.js';
import { accessStatus, attributesErrors, check, createOnly, metadataErrors, type ReviewAuthorization } from './review-common.js';
import { createSubjectAccessReviewStorages } from './subject-access-review.js';
import { reviewSelf, selfSubjectReviews } from './self-subject-review.js';
import {
  selfSubjectAccessReviews, selfSubjectAccessReviewSchema, selfSubjectRulesReviews, selfSubjectRulesReviewSchema,
  type SelfSubjectAccessReview, type SelfSubjectRulesReview,
} from './kinds.js';

export function createReviewStorages(authz: ReviewAuthorization): ResourceStorage[] {
  const access = createOnly(selfSubjectAccessReviews, async (ctx, obj) => {
    const review = obj as SelfSubjectAccessReview;
    const spec = review.spec ?? {};
    check(selfSubjectAccessReviews, selfSubjectAccessReviewSchema, ctx, review, [...metadataErrors(review), ...attributesErrors(spec)]);
    return { ...review, status: await accessStatus(authz, { name: ctx.user, groups: ctx.groups }, spec) };
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

  return [access, rules, self, ...createSubjectAccessReviewStorages(authz)];
}
