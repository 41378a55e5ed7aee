/**
 * Every served resource, and the lookups the server, discovery and clients need: by
 * group/version/plural, by kind, and by the names kubectl accepts (plural, singular, short names,
 * `plural.group`). Also the schemas of subresource bodies (Scale, Binding, Eviction) and of
 * meta/v1 DeleteOptions and Status, which are served but are not resources.
 */
import { customResourceDefinitions } from './kinds/apiextensions/custom-resource-definition.js';
import { apiServices } from './kinds/apiregistration/api-service.js';
import { controllerRevisions } from './kinds/apps/controller-revision.js';
import { daemonSets } from './kinds/apps/daemon-set.js';
import { deployments } from './kinds/apps/deployment.js';
import { replicaSets } from './kinds/apps/replica-set.js';
import { statefulSets } from './kinds/apps/stateful-set.js';
import { cronJobs } from './kinds/batch/cron-job.js';
import { certificateSigningRequests } from './kinds/certificates/certificate-signing-request.js';
import { jobs } from './kinds/batch/job.js';
import { horizontalPodAutoscalers } from './kinds/autoscaling/horizontal-pod-autoscaler.js';
import { horizontalPodAutoscalersV1 } from './kinds/autoscaling/horizontal-pod-autoscaler-v1.js';
import { scaleSchema } from './kinds/autoscaling/scale.js';
import { leases } from './kinds/coordination/lease.js';
import { mutatingWebhookConfigurations, validatingWebhookConfigurations } from './kinds/admissionregistration/webhook-configuration.js';
import { validatingAdmissionPolicies, validatingAdmissionPolicyBindings } from './kinds/admissionregistration/validating-admission-policy.js';
import { bindingSchema } from './kinds/core/binding.js';
import { configMaps } from './kinds/core/config-map.js';
import { endpoints } from './kinds/core/endpoints.js';
import { events } from './kinds/core/event.js';
import { namespaces } from './kinds/core/namespace.js';
import { nodes } from './kinds/core/node.js';
import { persistentVolumeClaims } from './kinds/core/persistent-volume-claim.js';
import { limitRanges } from './kinds/core/limit-range.js';
import { resourceQuotas } from './kinds/core/resource-quota.js';
import { persistentVolumes } from './kinds/core/persistent-volume.js';
import { pods } from './kinds/core/pod.js';
import { podTemplates } from './kinds/core/pod-template.js';
import { replicationControllers } from './kinds/core/replication-controller.js';
import { secrets } from './kinds/core/secret.js';
import { serviceAccounts } from './kinds/core/service-account.js';
import { services } from './kinds/core/service.js';
import { endpointSlices } from './kinds/discovery/endpoint-slice.js';
import { ingressClasses } from './kinds/networking/ingress-class.js';
import { ingresses } from './kinds/networking/ingress.js';
import { networkPolicies } from './kinds/networking/network-policy.js';
import { eventsV1 } from './kinds/events/event.js';
import { deleteOptionsSchema, statusSchema } from './kinds/meta/meta-types.js';
import { evictionSchema } from './kinds/policy/eviction.js';
import { podDisruptionBudgets } from './kinds/policy/pod-disruption-budget.js';
import { clusterRoleBindings } from './kinds/rbac/cluster-role-binding.js';
import { clusterRoles } from './kinds/rbac/cluster-role.js';
import { roleBindings } from './kinds/rbac/role-binding.js';
import { roles } from './kinds/rbac/role.js';
import { priorityClasses } from './kinds/scheduling/priority-class.js';
import { runtimeClasses } from './kinds/node/runtime-class.js';
import { csiDrivers } from './kinds/storage/csi-driver.js';
import { csiNodes } from './kinds/storage/csi-node.js';
import { flowSchemas } from './kinds/flowcontrol/flow-schema.js';
import { priorityLevelConfigurations } from './kinds/flowcontrol/priority-level-configuration.js';
import { csiStorageCapacities } from './kinds/storage/csi-storage-capacity.js';
import { storageClasses } from './kinds/storage/storage-class.js';
import { volumeAttachments } from './kinds/storage/volume-attachment.js';
import type { ResourceDefinition } from './resource.js';
import { componentsOf } from './schema/openapi.js';
import type { ObjectNode } from './schema/types.js';
import { applyDefaults, unknownFields, validateNode } from './schema/walk.js';
import type { FieldError } from './status.js';

const DEFINITIONS: ResourceDefinition<any>[] = [
  namespaces, pods, services, endpoints, configMaps, secrets, nodes, events, serviceAccounts,
  persistentVolumes, persistentVolumeClaims, resourceQuotas, limitRanges, podTemplates, replicationControllers,
  deployments, replicaSets, daemonSets, statefulSets, controllerRevisions, jobs, cronJobs, storageClasses, leases, endpointSlices,
  podDisruptionBudgets, priorityClasses, eventsV1,
  csiDrivers, csiNodes, volumeAttachments, csiStorageCapacities, runtimeClasses,
  ingressClasses, ingresses, networkPolicies,
  customResourceDefinitions, apiServices,
  // autoscaling: v2 (the storage and preferred version) before v1, which is served from it
  horizontalPodAutoscalers, horizontalPodAutoscalersV1,
  roles, clusterRoles, roleBindings, clusterRoleBindings,
  certificateSigningRequests,
  flowSchemas, priorityLevelConfigurations,
  mutatingWebhookConfigurations, validatingWebhookConfigurations, validatingAdmissionPolicies, validatingAdmissionPolicyBindings,
];

const byGVR = new Map<string, ResourceDefinition>();
const byGVK = new Map<string, ResourceDefinition>();
for (const d of DEFINITIONS) {
  byGVR.set(`${d.group}/${d.version}/${d.plural}`, d);
  byGVK.set(`${d.group}/${d.version}/${d.kind}`, d);
}

/** Every served resource, core group first (the order discovery lists them). */
export function all(): readonly ResourceDefinition[] {
  return DEFINITIONS;
}

export function byResource(group: string, version: string, plural: string): ResourceDefinition | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

export function byKind(group: string, version: string, kind: string): ResourceDefinition | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/**
 * The resource a user typed: `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deploy.apps`,
 * `deployments.v1.apps`. Case-insensitive like kubectl's RESTMapper.
 */
export function byName(name: string): ResourceDefinition | undefined {
  const n = name.toLowerCase();
  const [head, ...rest] = n.split('.');
  const suffix = rest.join('.');
  return DEFINITIONS.find((d) => {
    const names = [d.plural, d.singular, d.kind.toLowerCase(), ...d.shortNames];
    if (!names.includes(head!)) return false;
    if (!suffix) return true;
    return suffix === d.group || suffix === `${d.version}.${d.group}` || (d.group === '' && suffix === d.version);
  });
}

/** The resources in a category (`all` for `kubectl get all`). */
export function byCategory(category: string): ResourceDefinition[] {
  return DEFINITIONS.filter((d) => d.categories.includes(category));
}

/** A body schema that is not a resource of its own (subresource payloads, meta/v1 types). */
export interface BodyKind {
  group: string;
  version: string;
  kind: string;
  schema: ObjectNode<any, any>;
  applyDefaults(obj: unknown): void;
  /** Structural validation only; semantic checks live with the subresource handler. */
  validate(obj: unknown): FieldError[];
  unknownFields(obj: unknown): string[];
  openapi: { definition: string; schemas: Record<string, unknown> };
}

function bodyKind(group: string, version: string, kind: string, schema: ObjectNode<any, any>): BodyKind {
  let openapi: BodyKind['openapi'] | undefined;
  return {
    group, version, kind, schema,
    applyDefaults: (obj) => applyDefaults(schema, obj),
    validate: (obj) => validateNode(schema, obj, ''),
    unknownFields: (obj) => unknownFields(schema, obj),
    get openapi() {
      openapi ??= componentsOf(schema);
      return openapi;
    },
  };
}

/** Scale (autoscaling/v1), Binding (v1), Eviction (policy/v1), DeleteOptions and Status (meta/v1). */
export const bodies = {
  scale: bodyKind('autoscaling', 'v1', 'Scale', scaleSchema),
  binding: bodyKind('', 'v1', 'Binding', bindingSchema),
  eviction: bodyKind('policy', 'v1', 'Eviction', evictionSchema),
  deleteOptions: bodyKind('meta.k8s.io', 'v1', 'DeleteOptions', deleteOptionsSchema),
  status: bodyKind('meta.k8s.io', 'v1', 'Status', statusSchema),
} as const;

/** The registry as one value, for code that takes "something with all()". */
export const registry = { all, byResource, byKind, byName, byCategory, bodies } as const;
