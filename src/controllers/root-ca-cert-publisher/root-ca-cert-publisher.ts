/**
 * The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
 * every Active namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA that
 * pods use to verify the API server, with upstream's description annotation. A deleted or changed
 * ConfigMap is put back. The CA is the controller manager's own (its kubeconfig's
 * certificate-authority-data), as kube-controller-manager without --root-ca-file.
 */
import type { Namespace } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { isAlreadyExists, isConflict, isNamespaceTerminating, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

interface ConfigMapLike extends KubeObject {
  data?: Record<string, string>;
}

/** The ConfigMap to write, or undefined when `current` already holds the CA and the description (upstream's check). */
export function desiredRootCaConfigMap(current: Readonly<ConfigMapLike> | undefined, rootCa: string): ConfigMapLike | undefined {
  const data = { 'ca.crt': rootCa };
  if (current) {
    const same = Object.keys(current.data ?? {}).length === 1 && current.data?.['ca.crt'] === rootCa;
    if (same && current.metadata.annotations?.[DESCRIPTION_ANNOTATION]) return undefined;
    return { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data };
  }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data };
}

export interface RootCaPublisherOptions {
  /** PEM of the cluster CA; default the manager client's CA. */
  rootCa?: string;
}

export function addRootCaCertPublisher(mgr: Manager, opts: RootCaPublisherOptions = {}): Controller {
  // A manager whose client trusts no CA of its own (none in its kubeconfig) has nothing to publish.
  const rootCa = opts.rootCa ?? (mgr.client.config.ca === undefined ? '' : String(mgr.client.config.ca));
  const namespaces = mgr.informers.informerFor<Namespace>(resources.namespaces);
  const configMaps = mgr.informers.informerFor<ConfigMapLike>(resources.configmaps);
  return mgr.controller('root-ca-cert-publisher')
    .for(resources.namespaces)
    .watches(resources.configmaps, (cm) => (cm.metadata.name === ROOT_CA_CONFIGMAP ? [cm.metadata.namespace ?? ''] : []))
    .complete(async (req) => {
      if (!rootCa || namespaces.indexer.get(req.name)?.status?.phase !== 'Active') return;
      const current = configMaps.indexer.get(`${req.name}/${ROOT_CA_CONFIGMAP}`);
      const desired = desiredRootCaConfigMap(current, rootCa);
      if (!desired) return;
      try {
        if (current) await mgr.client.update(resources.configmaps, req.name, desired);
        else await mgr.client.create(resources.configmaps, req.name, desired);
      } catch (err) {
        // Gone, terminating, or a stale cache: the namespace or ConfigMap event that follows brings it back.
        if (!isAlreadyExists(err) && !isConflict(err) && !isNamespaceTerminating(err) && !isNotFound(err)) throw err;
      }
    });
}
