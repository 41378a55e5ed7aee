/**
 * The ServiceAccount admission plugin on pod CREATE (upstream
 * plugin/pkg/admission/serviceaccount/admission.go, Admit):
 *   - a mirror pod (kubernetes.io/config.mirror) is left as it is, and may not name a service account;
 *   - a pod naming no service account gets `default` (spec.serviceAccountName, and the deprecated
 *     spec.serviceAccount alias, which upstream's v1 conversion keeps equal to it);
 *   - the named ServiceAccount must exist, else 403 Forbidden
 *     `pods "p" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found`;
 *   - a pod without imagePullSecrets gets its ServiceAccount's.
 * Not done (left for the access-control issue): mounting the projected token volume
 * (kube-api-access-*) that upstream adds when automountServiceAccountToken allows it.
 *
 * One deviation: upstream refuses a pod whose `default` ServiceAccount does not exist yet (after ~1 s
 * of live lookups while the serviceaccounts controller catches up). Bosun admits it, as a missing
 * `default` only means no controller manager runs (bosun server --disable-controller-manager, or an
 * API server alone in tests), and nothing in Bosun reads that ServiceAccount before the token work.
 */
import { DEFAULT_SERVICE_ACCOUNT, type ServiceAccount } from '../../api/kinds/core/service-account.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** The ServiceAccount `name` in `namespace`, or undefined when there is none. */
export type ServiceAccountLookup = (namespace: string, name: string) => Promise<ServiceAccount | undefined>;

interface PodSpecPart {
  serviceAccountName?: string;
  serviceAccount?: string;
  imagePullSecrets?: { name?: string }[];
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
}
