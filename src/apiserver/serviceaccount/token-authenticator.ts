/**
 * The service account token authenticator (upstream pkg/serviceaccount/jwt.go with claims.go's and
 * legacy.go's validators): a JWT signed by this server's key, for one of the API's audiences, not
 * expired, whose ServiceAccount still exists with the same uid and whose bound Pod, Secret or Node
 * (or, for a legacy token, its Secret holding exactly this token) still exists with the same uid and
 * is not terminating for more than a minute. The user is system:serviceaccount:<ns>:<name> with the
 * ServiceAccount's uid, groups system:serviceaccounts and system:serviceaccounts:<ns>, and extra
 * pod-name/pod-uid, node-name/node-uid and credential-id (JTI=<jti>) as upstream. Verified tokens
 * are cached (token-cache.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../http/authn.js';
import type { RequestContext } from '../storage/types.js';
import { EXTRA, LEGACY_ISSUER, serviceAccountGroups, serviceAccountUsername, type KubernetesClaim } from './claims.js';
import { depKey, TokenCache, type WatchedPlural } from './token-cache.js';
import { InvalidTokenError, type TokenSigner } from './token-signer.js';
import type { ResourceStorage } from '../storage/types.js';

/** Upstream invalidates tokens of objects deleted (deletionTimestamp) more than this long ago. */
const DELETION_GRACE_MS = 60_000;

export interface TokenAuthenticatorDeps {
  signer: TokenSigner;
  audiences: string[];
  storage(plural: WatchedPlural): ResourceStorage | undefined;
}

/** What a review says: the user, or why the token is refused. */
export type TokenResult = { user: UserInfo; audiences: string[] } | { error: string };

const systemContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export class ServiceAccountTokenAuthenticator {
  readonly cache: TokenCache;

  constructor(private readonly deps: TokenAuthenticatorDeps) {
    this.cache = new TokenCache(deps.storage);
  }

  /** The router's hook: the user, or undefined for any token that is not a valid service account token. */
  readonly authenticate = (token: string): UserInfo | undefined | Promise<UserInfo | undefined> => {
    const hit = this.cache.get(token, Date.now());
    if (hit) return hit;
    return this.review(token).then((r) => ('user' in r ? r.user : undefined));
  };

  /**
   * Full validation (TokenReview's path too). `audiences`: what the reviewer accepts (TokenReview's
   * spec.audiences), default the API's; the answer's audiences are those of the token among them.
   */
  async review(token: string, audiences = this.deps.audiences): Promise<TokenResult> {
    if (!JWT_SHAPE.test(token)) return { error: 'not a service account token' };
    const apiAudiences = audiences === this.deps.audiences;
    if (apiAudiences) {
      const hit = this.cache.get(token, Date.now());
      if (hit) return { user: hit, audiences: [...audiences] };
    }
    const generation = this.cache.begin();
    try {
      const payload = await this.deps.signer.verify(token);
      if (payload.iss === LEGACY_ISSUER) {
        const user = await this.legacy(token, payload);
        if (apiAudiences) this.cache.put(token, generation, { user: user.user, expiresAtMs: Infinity, deps: user.deps });
        return { user: user.user, audiences: [...audiences] };
      }
      const tokenAuds = typeof payload.aud === 'string' ? [payload.aud] : payload.aud ?? [];
      const matched = audiences.filter((a) => tokenAuds.includes(a));
      if (matched.length === 0) return { error: 'token audiences "' + tokenAuds.join(',') + '" is invalid for the target audiences "' + audiences.join(',') + '"' };
      const { user, deps } = await this.bound(payload);
      if (apiAudiences) this.cache.put(token, generation, { user, expiresAtMs: (payload.exp ?? 0) * 1000 + 60_000, deps });
      return { user, audiences: matched };
    } catch (err) {
      if (err instanceof InvalidTokenError) return { error: err.message };
      throw err;
    }
  }

  stop(): void {
    this.cache.stop();
  }

  private async bound(payload: JWTPayload): Promise<{ user: UserInfo; deps: string[] }> {
    const k = payload['kubernetes.io'] as KubernetesClaim | undefined;
    if (!k?.namespace || !k.serviceaccount?.name) throw new InvalidTokenError('service account token claims could not be validated');
    const ns = k.namespace;
    const sa = await this.live('serviceaccounts', ns, k.serviceaccount.name, k.serviceaccount.uid);
    const deps = [depKey('serviceaccounts', ns, k.serviceaccount.name)];
    const extra: Record<string, string[]> = {};
    if (k.pod) {
      await this.live('pods', ns, k.pod.name, k.pod.uid);
      deps.push(depKey('pods', ns, k.pod.name));
      extra[EXTRA.podName] = [k.pod.name];
      extra[EXTRA.podUid] = [k.pod.uid];
    } else if (k.secret) {
      await this.live('secrets', ns, k.secret.name, k.secret.uid);
      deps.push(depKey('secrets', ns, k.secret.name));
    } else if (k.node) {
      await this.live('nodes', undefined, k.node.name, k.node.uid);
      deps.push(depKey('nodes', undefined, k.node.name));
    }
    if (k.node) {
      extra[EXTRA.nodeName] = [k.node.name];
      extra[EXTRA.nodeUid] = [k.node.uid];
    }
    if (typeof payload.jti === 'string' && payload.jti) extra[EXTRA.credentialId] = [`JTI=${payload.jti}`];
    const user: UserInfo = {
      name: serviceAccountUsername(ns, k.serviceaccount.name), uid: sa.metadata.uid ?? '', groups: serviceAccountGroups(ns),
      ...(Object.keys(extra).length ? { extra } : {}),
    };
    return { user, deps };
  }

  /** A legacy token: its Secret must still hold it, its ServiceAccount still have the uid it names. */
  private async legacy(token: string, p: JWTPayload): Promise<{ user: UserInfo; deps: string[] }> {
    const claim = (k: string) => (typeof p[`kubernetes.io/serviceaccount/${k}`] === 'string' ? p[`kubernetes.io/serviceaccount/${k}`] as string : '');
    const ns = claim('namespace');
    const secretName = claim('secret.name');
    const saName = claim('service-account.name');
    if (!ns || !secretName || !saName) throw new InvalidTokenError('service account token claims could not be validated');
    const secret = await this.live('secrets', ns, secretName, undefined);
    const stored = Buffer.from((secret as { data?: Record<string, string> }).data?.token ?? '', 'base64');
    const given = Buffer.from(token);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) throw new InvalidTokenError('service account token does not match the Secret that holds it');
    const sa = await this.live('serviceaccounts', ns, saName, claim('service-account.uid'));
    return {
      user: { name: serviceAccountUsername(ns, saName), uid: sa.metadata.uid ?? '', groups: serviceAccountGroups(ns) },
      deps: [depKey('secrets', ns, secretName), depKey('serviceaccounts', ns, saName)],
    };
  }

  /** The object, when it exists with `uid` (if given) and is not long terminating; else the token is invalid. */
  private async live(plural: WatchedPlural, ns: string | undefined, name: string, uid: string | undefined): Promise<KubeObject> {
    const what = { pods: 'Pod', serviceaccounts: 'ServiceAccount', secrets: 'Secret', nodes: 'Node' }[plural];
    let obj: KubeObject;
    try {
      const s = this.deps.storage(plural);
      if (!s) throw new Error('no storage');
      obj = await s.get(systemContext(), ns, name);
    } catch {
      throw new InvalidTokenError(`service account token has been invalidated (${what} ${ns ? `${ns}/` : ''}${name} not found)`);
    }
    if (uid !== undefined && obj.metadata.uid !== uid) {
      throw new InvalidTokenError(`service account token has been invalidated (${what} ${ns ? `${ns}/` : ''}${name} has a different uid)`);
    }
    const dt = obj.metadata.deletionTimestamp;
    if (dt && Date.parse(dt) < Date.now() - DELETION_GRACE_MS) throw new InvalidTokenError('service account token has been invalidated');
    return obj;
  }
}
