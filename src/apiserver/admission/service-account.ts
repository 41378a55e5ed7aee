/**
 * The ServiceAccount admission plugin on pod CREATE (upstream
 * plugin/pkg/admission/serviceaccount/admission.go, Admit):
 *   - a mirror pod (kubernetes.io/config.mirror) is left as it is, and may not name a service account;
 *   - a pod naming no service account gets `default` (spec.serviceAccountName, and the deprecated
 *     spec.serviceAccount alias, which upstream's v1 conversion keeps equal to it);
 *   - the named ServiceAccount must exist, else 403 Forbidden
 *     `pods "p" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found`;
 *   - a pod without imagePullSecrets gets its ServiceAccount's;
 *   - unless automountServiceAccountToken is false (the pod's setting, else the ServiceAccount's),
 *     the projected volume `kube-api-access-<5 random>` (token for 3607 s, the kube-root-ca.crt
 *     ConfigMap's ca.crt, the namespace from the downward API; defaultMode 0644) is added and
 *     mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every init container
 *     and container that has nothing mounted there yet (upstream's mountServiceAccountToken and
 *     TokenVolumeSource). A pod that already has a `kube-api-access-*` volume keeps it.
 *
 * One deviation: upstream refuses a pod whose `default` ServiceAccount does not exist yet (after ~1 s
 * of live lookups while the serviceaccounts controller catches up). Bosun admits it, as a missing
 * `default` only means no controller manager runs (bosun server --disable-controller-manager, or an
 * API server alone in tests); such a pod gets no token volume (there is no identity to mount, and
 * no root CA ConfigMap publisher either).
 */
import { DEFAULT_SERVICE_ACCOUNT, type ServiceAccount } from '../../api/kinds/core/service-account.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';
import { generateName } from '../storage/object-meta.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** The ServiceAccount `name` in `namespace`, or undefined when there is none. */
export type ServiceAccountLookup = (namespace: string, name: string) => Promise<ServiceAccount | undefined>;

/** Where every container finds its token, ca.crt and namespace (upstream's DefaultAPITokenMountPath). */
export const API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
/** The kubelet-style token lifetime upstream's admission asks for (WarnOnlyBoundTokenExpirationSeconds). */
export const API_ACCESS_TOKEN_SECONDS = 3607;

interface ContainerPart { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }

interface PodSpecPart {
  serviceAccountName?: string;
  serviceAccount?: string;
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
  volumes?: { name: string }[];
  containers?: ContainerPart[];
  initContainers?: ContainerPart[];
}

/** Upstream's TokenVolumeSource(). */
export function apiAccessVolume(name: string): { name: string; projected: object } {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: API_ACCESS_TOKEN_SECONDS } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function mountApiAccess(spec: PodSpecPart): void {
  const existing = (spec.volumes ?? []).find((v) => v.name?.startsWith(API_ACCESS_VOLUME_PREFIX));
  const name = existing?.name ?? generateName(API_ACCESS_VOLUME_PREFIX);
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === API_TOKEN_MOUNT_PATH)) continue;
    (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH });
    needed = true;
  }
  if (!existing && needed) (spec.volumes ??= []).push(apiAccessVolume(name));
}

function forbidden(pod: KubeObject, why: string): Error {
  // As admission.NewForbidden: the object's name, else its generateName.
  const name = pod.metadata.name || pod.metadata.generateName || 'Unknown';
  return failure(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
}

/** Mutates `pod` (a pod being created in `namespace`) as upstream's plugin does, or throws a 403. */
export async function admitPodServiceAccount(pod: KubeObject, namespace: string, lookup: ServiceAccountLookup): Promise<void> {
  const spec = pod.spec as PodSpecPart | undefined;
  if (!spec || typeof spec !== 'object') return;
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) {
    if (spec.serviceAccountName) throw forbidden(pod, 'a mirror pod may not reference service accounts');
    return;
  }
  const name = spec.serviceAccountName || spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  const sa = await lookup(namespace, name);
  if (!sa) {
    if (name === DEFAULT_SERVICE_ACCOUNT) return;
    throw forbidden(pod, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  }
  if ((spec.imagePullSecrets ?? []).length === 0 && (sa.imagePullSecrets ?? []).length > 0) {
    spec.imagePullSecrets = (sa.imagePullSecrets ?? []).map((s) => ({ name: s.name ?? '' }));
  }
  if ((spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true) === true) mountApiAccess(spec);
}
