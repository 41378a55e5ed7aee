/**
 * The claims of service account tokens, as upstream's pkg/serviceaccount/claims.go (bound tokens)
 * and legacy.go (Secret-based tokens), and the identity a token stands for
 * (k8s.io/apiserver/pkg/authentication/serviceaccount: user, groups, extra).
 */
import { randomUUID } from 'node:crypto';

export interface ObjectRef { name: string; uid: string }

/** The `kubernetes.io` private claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Extended kubelet tokens (token-request.ts): when a client should have refreshed. */
  warnafter?: number;
}

export interface BoundClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

/** The issuer of legacy (Secret) tokens, upstream's LegacyIssuer. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** Upstream's user.Info extra keys for service account tokens. */
export const EXTRA = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUid: 'authentication.kubernetes.io/node-uid',
  credentialId: 'authentication.kubernetes.io/credential-id',
} as const;

export const serviceAccountUsername = (namespace: string, name: string): string => `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;

/** The groups of a service account: system:serviceaccounts and system:serviceaccounts:<namespace>. */
export const serviceAccountGroups = (namespace: string): string[] => [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`];

export interface ClaimsInput {
  issuer: string;
  serviceAccount: { namespace: string } & ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  now?: number;
}

/** Upstream's Claims(): iat = nbf = now, exp = now + expirationSeconds, a fresh jti; pod before secret before node. */
export function boundClaims(i: ClaimsInput): BoundClaims {
  const now = Math.floor((i.now ?? Date.now()) / 1000);
  const k8s: KubernetesClaim = { namespace: i.serviceAccount.namespace, serviceaccount: { name: i.serviceAccount.name, uid: i.serviceAccount.uid } };
  if (i.pod) {
    k8s.pod = i.pod;
    // ServiceAccountTokenPodNodeInfo (on by default since 1.30): the pod's node rides along.
    if (i.node) k8s.node = i.node;
  } else if (i.secret) k8s.secret = i.secret;
  else if (i.node) k8s.node = i.node;
  return {
    iss: i.issuer, sub: serviceAccountUsername(i.serviceAccount.namespace, i.serviceAccount.name), aud: i.audiences,
    exp: now + i.expirationSeconds, iat: now, nbf: now, jti: randomUUID(), 'kubernetes.io': k8s,
  };
}

/** The claims of a legacy token Secret (no expiry, no audience), upstream's LegacyClaims. */
export function legacyClaims(sa: { namespace: string } & ObjectRef, secretName: string): Record<string, string> {
  return {
    iss: LEGACY_ISSUER,
    sub: serviceAccountUsername(sa.namespace, sa.name),
    'kubernetes.io/serviceaccount/namespace': sa.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
  };
}
