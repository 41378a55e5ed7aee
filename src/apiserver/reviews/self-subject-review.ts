/**
 * authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): POST one and the server
 * answers with the requester's user info as it authenticated them, storing nothing (upstream's
 * pkg/registry/authentication/selfsubjectreview). A create-only kind like the access reviews.
 */
import { defineKind, gvk } from '../../api/kinds/define.js';
import { nameIsDNSSubdomain } from '../../api/kinds/meta/names.js';
import { standardMetadata, typeMeta } from '../../api/kinds/meta/object-meta.js';
import type { KubeObject } from '../../api/meta.js';
import { s } from '../../api/schema/builders.js';
import { nowTimestamp } from '../storage/object-meta.js';
import type { RequestContext } from '../storage/types.js';

const PKG = 'io.k8s.api.authentication.v1';

export const selfSubjectReviewSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  status: s.object({
    userInfo: s.object({
      username: s.string('The name that uniquely identifies this user among all active users.'),
      uid: s.string('A unique value that identifies this user across time.'),
      groups: s.strings('The names of groups this user is a part of.'),
      extra: s.map(s.strings(), { description: 'Any additional information provided by the authenticator.' }),
    }, { name: `${PKG}.UserInfo`, description: 'UserInfo holds the information about the user needed to implement the user.Info interface.' }),
  }, { name: `${PKG}.SelfSubjectReviewStatus`, description: 'SelfSubjectReviewStatus is filled by the kube-apiserver and sent back to a user.' }),
}, { name: `${PKG}.SelfSubjectReview`, gvk: gvk('authentication.k8s.io', 'v1', 'SelfSubjectReview'), description: 'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request.' });

export const selfSubjectReviews = defineKind<KubeObject>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false,
  verbs: ['create'], schema: selfSubjectReviewSchema, nameValidator: nameIsDNSSubdomain,
});

/** The answer: a new object holding only the creation time and the requester's user info. */
export function reviewSelf(ctx: RequestContext, obj: KubeObject): KubeObject {
  return {
    apiVersion: obj.apiVersion, kind: obj.kind, metadata: { creationTimestamp: nowTimestamp() },
    status: {
      userInfo: {
        username: ctx.user, ...(ctx.uid !== undefined ? { uid: ctx.uid } : {}), groups: ctx.groups,
        ...(ctx.extra !== undefined ? { extra: ctx.extra } : {}),
      },
    },
  };
}
