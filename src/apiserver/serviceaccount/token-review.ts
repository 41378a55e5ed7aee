/**
 * authentication.k8s.io/v1 TokenReview (create only, never stored), as upstream's
 * pkg/registry/authentication/tokenreview: the server authenticates spec.token for spec.audiences
 * (default its own) and answers authenticated, the user and the audiences, or the error. Used by
 * webhook token authenticators (an agent's server, an aggregated API) to check a caller's token.
 */
import { defineKind, gvk } from '../../api/kinds/define.js';
import { nameIsDNSSubdomain } from '../../api/kinds/meta/names.js';
import { standardMetadata, typeMeta } from '../../api/kinds/meta/object-meta.js';
import type { KubeObject } from '../../api/meta.js';
import { s } from '../../api/schema/builders.js';
import { validateNode } from '../../api/schema/walk.js';
import { errors } from '../../api/status.js';
import type { UserInfo } from '../http/authn.js';
import { invalid } from '../storage/errors.js';
import { checkUnknownFields } from '../storage/field-validation.js';
import type { ResourceStorage } from '../storage/types.js';
import type { TokenResult } from './token-authenticator.js';

const PKG = 'io.k8s.api.authentication.v1';

const userInfoSchema = s.object({
  username: s.string('The name that uniquely identifies this user among all active users.'),
  uid: s.string('A unique value that identifies this user across time.'),
  groups: s.strings('The names of groups this user is a part of.'),
  extra: s.map(s.strings(), { description: 'Any additional information provided by the authenticator.' }),
}, { name: `${PKG}.UserInfo`, description: 'UserInfo holds the information about the user needed to implement the user.Info interface.' });

export const tokenReviewSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    token: s.string('Token is the opaque bearer token.'),
    audiences: s.strings('Audiences is a list of the identifiers that the resource server presented with the token identifies as.'),
  }, { name: `${PKG}.TokenReviewSpec`, description: 'TokenReviewSpec is a description of the token authentication request.' }),
  status: s.object({
    authenticated: s.bool('Authenticated indicates that the token was associated with a known user.'),
    user: userInfoSchema,
    audiences: s.strings('Audiences are audience identifiers chosen by the authenticator that are compatible with both the TokenReview and token.'),
    error: s.string("Error indicates that the token couldn't be checked"),
  }, { name: `${PKG}.TokenReviewStatus`, description: 'TokenReviewStatus is the result of the token authentication request.' }),
}, { name: `${PKG}.TokenReview`, required: ['spec'], gvk: gvk('authentication.k8s.io', 'v1', 'TokenReview'), description: 'TokenReview attempts to authenticate a token to a known user.' });

export const tokenReviews = defineKind<KubeObject>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false,
  verbs: ['create'], schema: tokenReviewSchema, nameValidator: nameIsDNSSubdomain,
});

/** Reviews a token for the given audiences (undefined: the API's). */
export type TokenReviewer = (token: string, audiences: string[] | undefined) => Promise<TokenResult>;

const notAllowed = async (): Promise<never> => {
  throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
};

export function userInfoOf(u: UserInfo): Record<string, unknown> {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

export function createTokenReviewStorage(review: TokenReviewer): ResourceStorage {
  return {
    def: tokenReviews,
    noTable: true,
    async create(ctx, _ns, obj) {
      checkUnknownFields(tokenReviews, obj, ctx);
      const { status: _ignored, ...rest } = obj as KubeObject & { spec?: { token?: string; audiences?: string[] } };
      const errs = validateNode(tokenReviewSchema, rest, '');
      if (errs.length) throw invalid(tokenReviews, obj.metadata?.name, errs);
      const spec = (rest as { spec?: { token?: string; audiences?: string[] } }).spec ?? {};
      if (!spec.token) throw errors.badRequest('token is required for TokenReview in authentication');
      const result = await review(spec.token, spec.audiences?.length ? spec.audiences : undefined);
      const status = 'user' in result
        ? { authenticated: true, user: userInfoOf({ ...result.user, groups: [...new Set([...result.user.groups, 'system:authenticated'])] }), audiences: result.audiences }
        : { user: {}, error: result.error };
      return { ...rest, metadata: { ...rest.metadata, creationTimestamp: null }, status } as unknown as KubeObject;
    },
    get: notAllowed, list: notAllowed, watch: notAllowed, update: notAllowed, patch: notAllowed, delete: notAllowed, deleteCollection: notAllowed,
  };
}
