/**
 * authorization.k8s.io/v1 SubjectAccessReview (cluster-scoped) and LocalSubjectAccessReview
 * (namespaced): "may this user, in these groups, do this?" answered from the server's own
 * authorizer chain and never stored, as upstream's pkg/registry/authorization/
 * {subjectaccessreview,localsubjectaccessreview} with ValidateSubjectAccessReview /
 * ValidateLocalSubjectAccessReview: a user or a group is required; a local review names resource
 * attributes in its own namespace only. Webhook-mode callers (an agent's server) use these.
 */
import { defineKind, gvk } from '../../api/kinds/define.js';
import { nameIsDNSSubdomain } from '../../api/kinds/meta/names.js';
import { standardMetadata, typeMeta } from '../../api/kinds/meta/object-meta.js';
import type { KubeObject } from '../../api/meta.js';
import { s } from '../../api/schema/builders.js';
import { fe } from '../../api/schema/errors.js';
import { errors, type FieldError } from '../../api/status.js';
import type { ResourceStorage } from '../storage/types.js';
import { accessResourceAttributesSchema, accessStatusSchema, nonResourceAttributesSchema, type SelfSubjectAccessReview } from './kinds.js';
import { accessStatus, attributesErrors, check, createOnly, metadataErrors, type ReviewAuthorization } from './review-common.js';

const PKG = 'io.k8s.api.authorization.v1';

const specSchema = s.object({
  resourceAttributes: accessResourceAttributesSchema,
  nonResourceAttributes: nonResourceAttributesSchema,
  user: s.string('User is the user you\'re testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups'),
  groups: s.strings('Groups is the groups you\'re testing for.'),
  extra: s.map(s.strings(), { description: 'Extra corresponds to the user.Info.GetExtra() method from the authenticator.  Since that is input to the authorizer it needs a reflection here.' }),
  uid: s.string('UID information about the requesting user.'),
}, { name: `${PKG}.SubjectAccessReviewSpec`, description: 'SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set' });

const reviewSchema = (kind: 'SubjectAccessReview' | 'LocalSubjectAccessReview', description: string) => s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: specSchema,
  status: accessStatusSchema,
}, { name: `${PKG}.${kind}`, required: ['spec'], gvk: gvk('authorization.k8s.io', 'v1', kind), description });

export const subjectAccessReviewSchema = reviewSchema('SubjectAccessReview', 'SubjectAccessReview checks whether or not a user or group can perform an action.');
export const localSubjectAccessReviewSchema = reviewSchema('LocalSubjectAccessReview', 'LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace. Having a namespace scoped resource makes it much easier to grant namespace scoped policy that includes permissions checking.');

export interface SubjectAccessReview extends KubeObject {
  spec?: NonNullable<SelfSubjectAccessReview['spec']> & { user?: string; groups?: string[]; extra?: Record<string, string[]>; uid?: string };
  status?: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export const subjectAccessReviews = defineKind<SubjectAccessReview>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create'],
  schema: subjectAccessReviewSchema, nameValidator: nameIsDNSSubdomain,
});
export const localSubjectAccessReviews = defineKind<SubjectAccessReview>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: ['create'],
  schema: localSubjectAccessReviewSchema, nameValidator: nameIsDNSSubdomain,
});

/** ValidateSubjectAccessReviewSpec's subject rule. */
function subjectErrors(spec: NonNullable<SubjectAccessReview['spec']>): FieldError[] {
  return !spec.user && !spec.groups?.length ? [fe.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified')] : [];
}

export function createSubjectAccessReviewStorages(authz: ReviewAuthorization): ResourceStorage[] {
  const answer = async (review: SubjectAccessReview): Promise<KubeObject> => {
    const spec = review.spec ?? {};
    const user = { name: spec.user ?? '', groups: spec.groups ?? [] };
    return { ...review, status: await accessStatus(authz, user, spec) };
  };
  const cluster = createOnly(subjectAccessReviews, async (ctx, obj) => {
    const review = obj as SubjectAccessReview;
    const spec = review.spec ?? {};
    check(subjectAccessReviews, subjectAccessReviewSchema, ctx, review, [...metadataErrors(review), ...attributesErrors(spec), ...subjectErrors(spec)]);
    return answer(review);
  });
  const local = createOnly(localSubjectAccessReviews, async (ctx, obj, namespace) => {
    const review = obj as SubjectAccessReview;
    const spec = review.spec ?? {};
    // Upstream's local review may carry its own namespace in metadata, nothing else.
    const { namespace: _ns, ...meta } = review.metadata ?? {};
    const own: FieldError[] = [...metadataErrors({ ...review, metadata: meta }), ...subjectErrors(spec)];
    if (spec.nonResourceAttributes) own.push(fe.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
    if (!spec.resourceAttributes) own.push(...attributesErrors(spec));
    check(localSubjectAccessReviews, localSubjectAccessReviewSchema, ctx, review, own);
    if ((spec.resourceAttributes?.namespace ?? '') !== (namespace ?? '')) {
      throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace ?? ''}`);
    }
    return answer(review);
  });
  return [cluster, local];
}
