/**
 * The agent's webhook authenticator and authorizer: TokenReview and SubjectAccessReview created
 * through the API with the node's own credential, as the kubelet's --authentication-token-webhook and
 * --authorization-mode=Webhook. Answers are cached for the kubelet's default TTLs (tokens 2 min,
 * allowed 5 min, denied 30 s) so a stream of requests from one caller asks once. Members of
 * system:masters are allowed without a review: kube-apiserver's first authorizer allows them
 * unconditionally, so the answer is known, and the API server's own logs/exec/metrics calls
 * (CN=kube-apiserver-kubelet-client, O=system:masters) cost no round trip.
 */
import { createHash } from 'node:crypto';
import type { KubeClient } from '../../client/kube-client.js';
import type { Caller, CallerReviews } from './caller-auth.js';
import type { NodeAttributes } from './node-attributes.js';

export interface WebhookReviewOptions {
  /** --authentication-token-webhook-cache-ttl (default 2 min). */
  tokenTtlMs?: number;
  /** --authorization-webhook-cache-authorized-ttl (default 5 min). */
  allowedTtlMs?: number;
  /** --authorization-webhook-cache-unauthorized-ttl (default 30 s). */
  deniedTtlMs?: number;
  now?: () => number;
}

/** A small TTL cache; starts over when full (bounded memory against many distinct callers). */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly now: () => number, private readonly max = 4096) {}
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, ttlMs: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + ttlMs });
  }
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

export function webhookReviews(client: Pick<KubeClient, 'raw'>, o: WebhookReviewOptions = {}): CallerReviews & { reviews: { tokens: number; access: number } } {
  const now = o.now ?? Date.now;
  const tokens = new TtlCache<Caller | null>(now);
  const decisions = new TtlCache<boolean>(now);
  const counts = { tokens: 0, access: 0 };
  return {
    reviews: counts,
    async authenticateToken(token) {
      const key = createHash('sha256').update(token).digest('hex');
      const hit = tokens.get(key);
      if (hit !== undefined) return hit ?? undefined;
      counts.tokens++;
      const review = await client.raw<{ status?: TokenReviewStatus }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
      });
      const st = review.status;
      const user = st?.authenticated && st.user?.username
        ? { name: st.user.username, groups: st.user.groups ?? [], ...(st.user.uid ? { uid: st.user.uid } : {}), ...(st.user.extra ? { extra: st.user.extra } : {}) }
        : null;
      tokens.set(key, user, o.tokenTtlMs ?? 120_000);
      return user ?? undefined;
    },
    async authorize(caller, attrs: NodeAttributes) {
      if (caller.groups.includes('system:masters')) return true;
      const key = JSON.stringify([caller.name, caller.uid, caller.groups, caller.extra, attrs.verb, attrs.subresource, attrs.name]);
      const hit = decisions.get(key);
      if (hit !== undefined) return hit;
      counts.access++;
      const review = await client.raw<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: caller.name, groups: caller.groups, ...(caller.uid ? { uid: caller.uid } : {}), ...(caller.extra ? { extra: caller.extra } : {}),
          resourceAttributes: { verb: attrs.verb, group: '', version: 'v1', resource: attrs.resource, subresource: attrs.subresource, name: attrs.name },
        },
      });
      const allowed = review.status?.allowed === true;
      decisions.set(key, allowed, allowed ? (o.allowedTtlMs ?? 300_000) : (o.deniedTtlMs ?? 30_000));
      return allowed;
    },
  };
}
