/**
 * Everything the API server does with service account tokens, assembled from its keys (key-set.ts:
 * one signing key and the verification keys, from the flags or the data dir): the
 * serviceaccounts/token subresource, the token authenticator, TokenReview, issuer discovery, and
 * the signer of legacy token Secrets for the tokens controller. The issuer is
 * k3s's (https://kubernetes.default.svc.cluster.local) and the API's audience is the issuer, as
 * kube-apiserver defaults --api-audiences to --service-account-issuer.
 */
import type { UserInfo } from '../http/authn.js';
import type { ResourceStorage } from '../storage/types.js';
import { legacyClaims } from './claims.js';
import { createIssuerDiscoveryHandler, type NonResourceAuthorizer } from './issuer-discovery.js';
import { loadServiceAccountKeys, type ServiceAccountKeyOptions } from './key-set.js';
import { ServiceAccountTokenAuthenticator } from './token-authenticator.js';
import type { WatchedPlural } from './token-cache.js';
import { TokenRequestAction } from './token-request.js';
import { createTokenReviewStorage } from './token-review.js';
import { TokenSigner } from './token-signer.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountTokenOptions {
  dataDir: string;
  /** --service-account-signing-key-file and --service-account-key-file (default: the data dir's keys). */
  keys?: ServiceAccountKeyOptions;
  /** --service-account-issuer. */
  issuer?: string;
  /** --api-audiences (default [issuer]). */
  audiences?: string[];
  /** --service-account-max-token-expiration, seconds. */
  maxExpirationSeconds?: number;
  storage(plural: WatchedPlural): ResourceStorage | undefined;
  /** The authorizer of non-resource requests, for issuer discovery (none: every authenticated user). */
  authorizeNonResource?: NonResourceAuthorizer;
  /** Another token authenticator tried when a token is not a service account's (the server's `tokens` option). */
  otherTokens?: (token: string) => Promise<UserInfo | undefined> | UserInfo | undefined;
}

/** Signs a legacy token for ServiceAccount `sa` held by Secret `secretName` (the tokens controller's). */
export type LegacyTokenSigner = (sa: { namespace: string; name: string; uid: string }, secretName: string) => Promise<string>;

export function createServiceAccountTokens(o: ServiceAccountTokenOptions) {
  const signer = new TokenSigner(loadServiceAccountKeys(o.dataDir, o.keys), o.issuer ?? DEFAULT_ISSUER);
  const audiences = o.audiences?.length ? o.audiences : [signer.issuer];
  const authenticator = new ServiceAccountTokenAuthenticator({ signer, audiences, storage: o.storage });
  const other = o.otherTokens;
  return {
    signer,
    authenticator,
    /** The router's TokenAuthenticator: service account tokens, then the other hook. */
    authenticate: (token: string): Promise<UserInfo | undefined> | UserInfo | undefined => {
      const sa = authenticator.authenticate(token);
      if (!other) return sa;
      if (sa && !(sa instanceof Promise)) return sa;
      return Promise.resolve(sa).then((u) => u ?? other(token));
    },
    tokenRequest: new TokenRequestAction({ signer, audiences, maxExpirationSeconds: o.maxExpirationSeconds, storage: o.storage }),
    tokenReview: createTokenReviewStorage(async (token, auds) => {
      const r = await authenticator.review(token, auds ?? audiences);
      if ('user' in r || !other) return r;
      const u = await other(token);
      return u ? { user: u, audiences: auds ?? audiences } : r;
    }),
    discovery: createIssuerDiscoveryHandler(signer, o.authorizeNonResource),
    signLegacyToken: ((sa, secretName) => signer.sign(legacyClaims(sa, secretName))) as LegacyTokenSigner,
    stop: () => authenticator.stop(),
  };
}

export type ServiceAccountTokens = ReturnType<typeof createServiceAccountTokens>;
