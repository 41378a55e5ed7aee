/**
 * The Local APIServices (spec.service absent) for every group/version this server serves, as
 * kube-apiserver's autoregister controller makes them: built-in group/versions with upstream's
 * priorities (pkg/controlplane/apiserver/aggregator.go DefaultGenericAPIServicePriorities and the
 * kube-apiserver's additions), labelled kube-aggregator.kubernetes.io/automanaged=onstart; custom
 * resources' group/versions as crdregistration_controller.go (1000/100), labelled "true" and removed
 * again when no CRD serves them. An APIService someone else made for the same name (metrics-server's
 * v1beta1.metrics.k8s.io) is left as it is: then that service serves the group/version.
 */
import type { APIService } from '../../api/kinds/apiregistration/api-service.js';
import type { KubeObject } from '../../api/meta.js';
import type { GroupVersion } from '../discovery/catalog.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

const PRIORITIES: Record<string, [number, number]> = {
  'v1.': [18000, 1],
  'v1.apiregistration.k8s.io': [18000, 15],
  'v1.apps': [17800, 15],
  'v1.events.k8s.io': [17750, 15],
  'v1.authentication.k8s.io': [17700, 15],
  'v1.authorization.k8s.io': [17600, 15],
  'v1.autoscaling': [17500, 15],
  'v2.autoscaling': [17500, 30],
  'v1.batch': [17400, 15],
  'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15],
  'v1.policy': [17100, 15],
  'v1.rbac.authorization.k8s.io': [17000, 15],
  'v1.storage.k8s.io': [16800, 15],
  'v1.apiextensions.k8s.io': [16700, 15],
  'v1.admissionregistration.k8s.io': [16700, 15],
  'v1.scheduling.k8s.io': [16600, 15],
  'v1.coordination.k8s.io': [16500, 15],
  'v1.node.k8s.io': [16300, 15],
  'v1.discovery.k8s.io': [16200, 15],
  'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
  // Served by Bosun itself where clusters run metrics-server: its APIService's priorities.
  'v1beta1.metrics.k8s.io': [100, 100],
};

/** The Local APIService this server wants for one of its group/versions. */
export function localApiService(gv: GroupVersion): APIService {
  const name = `${gv.version}.${gv.group}`;
  const known = PRIORITIES[name];
  const [groupPriorityMinimum, versionPriority] = known ?? [1000, 100];
  return {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name, labels: { [AUTOMANAGED_LABEL]: known ? 'onstart' : 'true' } },
    spec: { group: gv.group, version: gv.version, groupPriorityMinimum, versionPriority },
  };
}

/** Creates the missing Local APIServices and deletes automanaged ones whose group/version is no longer served. */
export async function syncLocalApiServices(storage: ResourceStorage, ctx: RequestContext, served: GroupVersion[]): Promise<void> {
  const want = new Map(served.map((gv) => [`${gv.version}.${gv.group}`, gv]));
  const have = (await storage.list(ctx, undefined, {})).items as APIService[];
  const names = new Set(have.map((a) => a.metadata.name));
  for (const [name, gv] of want) {
    if (names.has(name)) continue;
    try {
      await storage.create(ctx, undefined, localApiService(gv) as KubeObject);
    } catch (err) {
      if (!isStatusError(err, 409)) throw err;
    }
  }
  for (const a of have) {
    if (a.spec?.service || a.metadata.labels?.[AUTOMANAGED_LABEL] !== 'true' || want.has(a.metadata.name ?? '')) continue;
    try {
      await storage.delete(ctx, undefined, a.metadata.name!, {});
    } catch (err) {
      if (!isStatusError(err, 404)) throw err;
    }
  }
}
