/**
 * Tokens for projected serviceAccountToken volume sources (kubelet's pkg/kubelet/token
 * token_manager.go): requested through serviceaccounts/<sa>/token bound to the pod (the node
 * authorizer lets a node ask only for its own pods' service accounts), kept per pod, service
 * account, audience and lifetime, and fetched again once 80% of the lifetime has passed or the
 * token is older than 24 h. The volume manager writes each into the volume atomically on every
 * pass (the worker's resync is a minute), so a running pod's file is renewed well before expiry.
 * A refresh that fails keeps serving the old token while it is still valid.
 */
import type { Pod } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';

interface Cached { token: string; issuedMs: number; expiresMs: number }

interface TokenRequestAnswer { status?: { token?: string; expirationTimestamp?: string } }

const MAX_TTL_MS = 24 * 3600_000;

/** Upstream's requiresRefresh: 80% of the lifetime passed, or older than 24 h. */
export function requiresRefresh(t: Cached, nowMs: number): boolean {
  if (nowMs >= t.issuedMs + 0.8 * (t.expiresMs - t.issuedMs)) return true;
  return nowMs - t.issuedMs > MAX_TTL_MS;
}

export type TokenSource = (pod: Pod, audience: string | undefined, expirationSeconds: number) => Promise<string>;

export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly client: Pick<KubeClient, 'createSubresource'>, private readonly now: () => number = Date.now) {}

  /** A valid token for the pod's service account; throws when none can be had. */
  readonly get: TokenSource = async (pod, audience, expirationSeconds) => {
    const ns = pod.metadata.namespace ?? 'default';
    const sa = pod.spec?.serviceAccountName || 'default';
    const key = `${pod.metadata.uid}/${ns}/${sa}/${audience ?? ''}/${expirationSeconds}`;
    const have = this.cache.get(key);
    const now = this.now();
    if (have && !requiresRefresh(have, now)) return have.token;
    try {
      const answer = await this.client.createSubresource<TokenRequestAnswer>(resources.serviceaccounts, ns, sa, 'token', {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
        spec: {
          ...(audience ? { audiences: [audience] } : {}), expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
        },
      });
      const token = answer.status?.token;
      const expiresMs = Date.parse(answer.status?.expirationTimestamp ?? '');
      if (!token || !Number.isFinite(expiresMs)) throw new Error('the TokenRequest answer holds no token');
      this.cache.set(key, { token, issuedMs: now, expiresMs });
      return token;
    } catch (err) {
      if (have && have.expiresMs > now) return have.token;
      throw err;
    }
  };

  /** Forgets the tokens of a pod that is gone. */
  forget(podUid: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${podUid}/`)) this.cache.delete(k);
  }
}
