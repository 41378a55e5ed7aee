/**
 * Generic resource addressing: which URL serves a resource, independent of any kind's type.
 * `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments` and so on.
 */
import type {
  ConfigMap, ControllerRevision, CronJob, DaemonSet, Deployment, EndpointSlice, Endpoints, Event, Job, Lease, Namespace, Node,
  PersistentVolume, PersistentVolumeClaim, Pod, PodDisruptionBudget, PriorityClass, ReplicaSet, Secret, Service, ServiceAccount,
  StatefulSet, StorageClass, Role, ClusterRole, RoleBinding, ClusterRoleBinding, CertificateSigningRequest, HorizontalPodAutoscaler,
} from '../api/kinds/index.js';
import type { ResourceQuota } from '../api/kinds/core/resource-quota.js';
import type {
  CSIDriver, CSINode, LimitRange, MutatingWebhookConfiguration, PodTemplate, ReplicationController, RuntimeClass, ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding, ValidatingWebhookConfiguration, VolumeAttachment, HorizontalPodAutoscalerV1,
} from '../api/kinds/index.js';
import type { CustomResourceDefinition } from '../api/kinds/apiextensions/custom-resource-definition.js';
import type { APIService } from '../api/kinds/apiregistration/api-service.js';
import type { EventsV1Event } from '../api/kinds/events/event.js';
import type { CSIStorageCapacity, FlowSchema, Ingress, IngressClass, NetworkPolicy, PriorityLevelConfiguration } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';

/**
 * A resource as the API addresses it (a GroupVersionResource). `T` is the type of its objects, a
 * phantom carried only by the static type: `client.resource(resources.pods)`, informers and listers
 * built from a typed ref return `Pod`s without casts. Refs made at run time (from discovery, an
 * owner reference) are plain `ResourceRef`s of `KubeObject`.
 */
export interface ResourceRef<T extends KubeObject = KubeObject> {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower-case: `pods`, `deployments`. */
  resource: string;
  /** Whether objects live in namespaces. Used only to reject a namespace on cluster-scoped resources. */
  namespaced?: boolean;
  /** The kind, when known (for building objects and messages). */
  kind?: string;
  /** Never set: it carries `T` in the static type only. */
  readonly __objectType?: T;
}

/** A ref that carries its kind's type. */
function typed<T extends KubeObject>(ref: Omit<ResourceRef<T>, '__objectType'>): ResourceRef<T> {
  return ref;
}

/** Build the path of a collection, an object, or an object's subresource. */
export function resourcePath(ref: ResourceRef<any>, namespace?: string, name?: string, subresource?: string): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (namespace && ref.namespaced !== false) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) {
    if (!name) throw new Error(`resource name may not be empty (${ref.resource})`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

/** Append a query string built from the defined, non-empty values. */
export function withQuery(path: string, q: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '' || v === false) continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** Split `apps/v1` into group and version (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * Every built-in resource the API server serves, typed as its kind: what clients, informers and the
 * kind resolver (`builtinByKind`) use, with no schema code loaded (a node agent needs URLs, not
 * validation). src/api/registry.ts's DEFINITIONS is the authority; registration.test.ts keeps this
 * table equal to it, both ways. Keys are plurals; a second version of a plural gets a suffix.
 */
export const resources = {
  pods: typed<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod' }),
  services: typed<Service>({ group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' }),
  endpoints: typed<Endpoints>({ group: '', version: 'v1', resource: 'endpoints', namespaced: true, kind: 'Endpoints' }),
  configmaps: typed<ConfigMap>({ group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' }),
  secrets: typed<Secret>({ group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' }),
  namespaces: typed<Namespace>({ group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' }),
  nodes: typed<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' }),
  events: typed<Event>({ group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' }),
  serviceaccounts: typed<ServiceAccount>({ group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' }),
  persistentvolumeclaims: typed<PersistentVolumeClaim>({ group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true, kind: 'PersistentVolumeClaim' }),
  resourcequotas: typed<ResourceQuota>({ group: '', version: 'v1', resource: 'resourcequotas', namespaced: true, kind: 'ResourceQuota' }),
  persistentvolumes: typed<PersistentVolume>({ group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false, kind: 'PersistentVolume' }),
  replicationcontrollers: typed<ReplicationController>({ group: '', version: 'v1', resource: 'replicationcontrollers', namespaced: true, kind: 'ReplicationController' }),
  podtemplates: typed<PodTemplate>({ group: '', version: 'v1', resource: 'podtemplates', namespaced: true, kind: 'PodTemplate' }),
  apiservices: typed<APIService>({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', namespaced: false, kind: 'APIService' }),
  ingresses: typed<Ingress>({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true, kind: 'Ingress' }),
  ingressclasses: typed<IngressClass>({ group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', namespaced: false, kind: 'IngressClass' }),
  networkpolicies: typed<NetworkPolicy>({ group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', namespaced: true, kind: 'NetworkPolicy' }),
  runtimeclasses: typed<RuntimeClass>({ group: 'node.k8s.io', version: 'v1', resource: 'runtimeclasses', namespaced: false, kind: 'RuntimeClass' }),
  csinodes: typed<CSINode>({ group: 'storage.k8s.io', version: 'v1', resource: 'csinodes', namespaced: false, kind: 'CSINode' }),
  storageclasses: typed<StorageClass>({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', namespaced: false, kind: 'StorageClass' }),
  deployments: typed<Deployment>({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' }),
  replicasets: typed<ReplicaSet>({ group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true, kind: 'ReplicaSet' }),
  controllerrevisions: typed<ControllerRevision>({ group: 'apps', version: 'v1', resource: 'controllerrevisions', namespaced: true, kind: 'ControllerRevision' }),
  statefulsets: typed<StatefulSet>({ group: 'apps', version: 'v1', resource: 'statefulsets', namespaced: true, kind: 'StatefulSet' }),
  daemonsets: typed<DaemonSet>({ group: 'apps', version: 'v1', resource: 'daemonsets', namespaced: true, kind: 'DaemonSet' }),
  jobs: typed<Job>({ group: 'batch', version: 'v1', resource: 'jobs', namespaced: true, kind: 'Job' }),
  cronjobs: typed<CronJob>({ group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true, kind: 'CronJob' }),
  leases: typed<Lease>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true, kind: 'Lease' }),
  endpointslices: typed<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice' }),
  poddisruptionbudgets: typed<PodDisruptionBudget>({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true, kind: 'PodDisruptionBudget' }),
  horizontalpodautoscalers: typed<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' }),
  priorityclasses: typed<PriorityClass>({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', namespaced: false, kind: 'PriorityClass' }),
  roles: typed<Role>({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespaced: true, kind: 'Role' }),
  clusterroles: typed<ClusterRole>({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, kind: 'ClusterRole' }),
  rolebindings: typed<RoleBinding>({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespaced: true, kind: 'RoleBinding' }),
  certificatesigningrequests: typed<CertificateSigningRequest>({ group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false, kind: 'CertificateSigningRequest' }),
  clusterrolebindings: typed<ClusterRoleBinding>({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', namespaced: false, kind: 'ClusterRoleBinding' }),
  limitranges: typed<LimitRange>({ group: '', version: 'v1', resource: 'limitranges', namespaced: true, kind: 'LimitRange' }),
  eventsV1: typed<EventsV1Event>({ group: 'events.k8s.io', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' }),
  csidrivers: typed<CSIDriver>({ group: 'storage.k8s.io', version: 'v1', resource: 'csidrivers', namespaced: false, kind: 'CSIDriver' }),
  volumeattachments: typed<VolumeAttachment>({ group: 'storage.k8s.io', version: 'v1', resource: 'volumeattachments', namespaced: false, kind: 'VolumeAttachment' }),
  flowschemas: typed<FlowSchema>({ group: 'flowcontrol.apiserver.k8s.io', version: 'v1', resource: 'flowschemas', namespaced: false, kind: 'FlowSchema' }),
  prioritylevelconfigurations: typed<PriorityLevelConfiguration>({ group: 'flowcontrol.apiserver.k8s.io', version: 'v1', resource: 'prioritylevelconfigurations', namespaced: false, kind: 'PriorityLevelConfiguration' }),
  csistoragecapacities: typed<CSIStorageCapacity>({ group: 'storage.k8s.io', version: 'v1', resource: 'csistoragecapacities', namespaced: true, kind: 'CSIStorageCapacity' }),
  customresourcedefinitions: typed<CustomResourceDefinition>({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false, kind: 'CustomResourceDefinition' }),
  horizontalpodautoscalersV1: typed<HorizontalPodAutoscalerV1>({ group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' }),
  mutatingwebhookconfigurations: typed<MutatingWebhookConfiguration>({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingwebhookconfigurations', namespaced: false, kind: 'MutatingWebhookConfiguration' }),
  validatingwebhookconfigurations: typed<ValidatingWebhookConfiguration>({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations', namespaced: false, kind: 'ValidatingWebhookConfiguration' }),
  validatingadmissionpolicies: typed<ValidatingAdmissionPolicy>({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies', namespaced: false, kind: 'ValidatingAdmissionPolicy' }),
  validatingadmissionpolicybindings: typed<ValidatingAdmissionPolicyBinding>({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicybindings', namespaced: false, kind: 'ValidatingAdmissionPolicyBinding' }),
};

const byKind = new Map<string, ResourceRef>(Object.values(resources).map((r) => [`${r.group}/${r.version}/${r.kind}`, r]));

/** The built-in resource serving `kind` in group/version (no I/O), or undefined. */
export function builtinByKind(group: string, version: string, kind: string): ResourceRef | undefined {
  return byKind.get(`${group}/${version}/${kind}`);
}
