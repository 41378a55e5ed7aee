/** core/v1 PodSpec and PodTemplateSpec, with SetDefaults_PodSpec and the PodSpec validator attached. */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { standardMetadata } from '../meta/object-meta.js';
import { affinitySchema, tolerationSchema, topologySpreadConstraintSchema } from './affinity.js';
import { appArmorProfileSchema, containerSchema, ephemeralContainerSchema, seccompProfileSchema, seLinuxOptionsSchema, windowsOptionsSchema } from './container.js';
import { validatePodSpec } from './pod-spec-validation.js';
import { volumeSchema } from './volume.js';

const V1 = 'io.k8s.api.core.v1';

export const localObjectReferenceSchema = s.object({
  name: s.string({ description: 'Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', default: '' }),
}, { name: `${V1}.LocalObjectReference`, mapType: 'atomic', description: 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.' });

export const podSecurityContextSchema = s.object({
  runAsUser: s.int64('The UID to run the entrypoint of the container process.'),
  runAsGroup: s.int64('The GID to run the entrypoint of the container process.'),
  runAsNonRoot: s.bool('Indicates that the container must run as a non-root user.'),
  fsGroup: s.int64('A special supplemental group that applies to all containers in a pod.'),
  fsGroupChangePolicy: s.string({
    description: 'fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod. Valid values are "OnRootMismatch" and "Always". If not specified, "Always" is used.\n\nPossible enum values:\n - `"Always"`\n - `"OnRootMismatch"`',
    enum: ['Always', 'OnRootMismatch'],
  }),
  supplementalGroupsPolicy: s.string({
    description: 'Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used. (Alpha) Using the field requires the SupplementalGroupsPolicy feature gate to be enabled and the container runtime must implement support for this feature. Note that this field cannot be set when spec.os.name is windows.\n\nPossible enum values:\n - `"Merge"` means that the container\'s provided SupplementalGroups and FsGroup (specified in SecurityContext) will be merged with the primary user\'s groups as defined in the container image (in /etc/group).\n - `"Strict"` means that the container\'s provided SupplementalGroups and FsGroup (specified in SecurityContext) will be used instead of any groups defined in the container image.',
    enum: ['Merge', 'Strict'],
  }),
  seLinuxChangePolicy: s.string('seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod. Valid values are "MountOption" and "Recursive". Note that this field cannot be set when spec.os.name is windows.'),
  supplementalGroups: s.array(s.int64(), { description: 'A list of groups applied to the first process run in each container, in addition to the container\'s primary GID.', listType: 'atomic' }),
  sysctls: s.array(s.object({ name: s.string('Name of a property to set'), value: s.string('Value of a property to set') }, { name: `${V1}.Sysctl`, required: ['name', 'value'], description: 'Sysctl defines a kernel parameter to be set' }), { description: 'Sysctls hold a list of namespaced sysctls used for the pod.', listType: 'atomic' }),
  seccompProfile: { ...seccompProfileSchema, description: 'The seccomp options to use by the containers in this pod.' },
  appArmorProfile: { ...appArmorProfileSchema, description: 'appArmorProfile is the AppArmor options to use by the containers in this pod.' },
  seLinuxOptions: { ...seLinuxOptionsSchema, description: 'The SELinux context to be applied to all containers.' },
  windowsOptions: { ...windowsOptionsSchema, description: 'The Windows specific settings applied to all containers.' },
}, { name: `${V1}.PodSecurityContext`, description: 'PodSecurityContext holds pod-level security attributes and common container settings. Some fields are also present in container.securityContext.  Field values of container.securityContext take precedence over field values of PodSecurityContext.' });

/**
 * spec.serviceAccount is the deprecated alias of spec.serviceAccountName: as upstream's v1 conversion
 * (Convert_v1_PodSpec_To_core_PodSpec and back), an empty serviceAccountName takes the alias, and the
 * alias always shows serviceAccountName.
 */
function serviceAccountAlias(spec: { serviceAccountName?: string; serviceAccount?: string }): void {
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

export const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'] as const;
export const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;

export const podSpecSchema = s.object({
  volumes: s.array(volumeSchema, { description: 'List of volumes that can be mounted by containers belonging to the pod. More info: https://kubernetes.io/docs/concepts/storage/volumes', patchMergeKey: 'name', patchStrategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] }),
  initContainers: s.array(containerSchema, { description: 'List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started. If any init container fails, the pod is considered to have failed and is handled according to its restartPolicy. More info: https://kubernetes.io/docs/concepts/workloads/pods/init-containers/', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  containers: s.array(containerSchema, { description: 'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  ephemeralContainers: s.array(ephemeralContainerSchema, { description: "List of ephemeral containers run in this pod. Ephemeral containers may be run in an existing pod to perform user-initiated actions such as debugging. This list cannot be specified when creating a pod, and it cannot be modified by updating the pod spec. In order to add an ephemeral container to an existing pod, use the pod's ephemeralcontainers subresource.", patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  restartPolicy: s.string({ description: 'Restart policy for all containers within the pod. One of Always, OnFailure, Never. In some contexts, only a subset of those values may be permitted. Default to Always. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy\n\nPossible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`', enum: RESTART_POLICIES, default: 'Always' }),
  terminationGracePeriodSeconds: s.int64({ description: 'Optional duration in seconds the pod needs to terminate gracefully. May be decreased in delete request. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). If this value is nil, the default grace period will be used instead. Defaults to 30 seconds.', default: 30 }),
  activeDeadlineSeconds: s.int64('Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers. Value must be a positive integer.'),
  dnsPolicy: s.string({ description: "Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'. DNS parameters given in DNSConfig will be merged with the policy selected with DNSPolicy. To have DNS options set along with hostNetwork, you have to specify DNS policy explicitly to 'ClusterFirstWithHostNet'.", enum: DNS_POLICIES, default: 'ClusterFirst' }),
  nodeSelector: { ...s.stringMap("NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"), mapType: 'atomic' as const },
  serviceAccountName: s.string('ServiceAccountName is the name of the ServiceAccount to use to run this pod. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/'),
  serviceAccount: s.string('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead.'),
  automountServiceAccountToken: s.bool('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'),
  nodeName: s.string('NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename'),
  hostNetwork: s.bool("Host networking requested for this pod. Use the host's network namespace. If this option is set, the ports that will be used must be specified. Default to false."),
  hostPID: s.bool("Use the host's pid namespace. Optional: Default to false."),
  hostIPC: s.bool("Use the host's ipc namespace. Optional: Default to false."),
  shareProcessNamespace: s.bool('Share a single process namespace between all of the containers in a pod. Optional: Default to false.'),
  securityContext: { ...podSecurityContextSchema, description: 'SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.  See type description for default values of each field.', default: {} },
  imagePullSecrets: s.array(localObjectReferenceSchema, { description: 'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec. More info: https://kubernetes.io/docs/concepts/containers/images#specifying-imagepullsecrets-on-a-pod', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  hostname: s.string("Specifies the hostname of the Pod If not specified, the pod's hostname will be set to a system-defined value."),
  subdomain: s.string('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>". If not specified, the pod will not have a domainname at all.'),
  affinity: { ...affinitySchema, description: "If specified, the pod's scheduling constraints" },
  schedulerName: s.string({ description: 'If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.', default: 'default-scheduler' }),
  tolerations: s.array(tolerationSchema, { description: "If specified, the pod's tolerations.", listType: 'atomic' }),
  hostAliases: s.array(s.object({
    ip: s.string('IP address of the host file entry.'),
    hostnames: s.strings('Hostnames for the above IP address.'),
  }, { name: `${V1}.HostAlias`, required: ['ip'], description: "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file." }), {
    description: "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.", patchMergeKey: 'ip', patchStrategy: 'merge', listType: 'map', listMapKeys: ['ip'],
  }),
  priorityClassName: s.string('If specified, indicates the pod\'s priority. "system-node-critical" and "system-cluster-critical" are two special keywords which indicate the highest priorities with the former being the highest priority.'),
  priority: s.int('The priority value. Various system components use this field to find the priority of the pod. When Priority Admission Controller is enabled, it prevents users from setting this field.'),
  dnsConfig: s.object({
    nameservers: s.strings('A list of DNS name server IP addresses.'),
    searches: s.strings('A list of DNS search domains for host-name lookup.'),
    options: s.array(s.object({ name: s.string('Name is this DNS resolver option\'s name. Required.'), value: s.string('Value is this DNS resolver option\'s value.') }, { name: `${V1}.PodDNSConfigOption`, description: 'PodDNSConfigOption defines DNS resolver options of a pod.' }), { description: 'A list of DNS resolver options.', listType: 'atomic' }),
  }, { name: `${V1}.PodDNSConfig`, description: 'Specifies the DNS parameters of a pod. Parameters specified here will be merged to the generated DNS configuration based on DNSPolicy.' }),
  readinessGates: s.array(s.object({ conditionType: s.string("ConditionType refers to a condition in the pod's condition list with matching type.") }, { name: `${V1}.PodReadinessGate`, required: ['conditionType'], description: 'PodReadinessGate contains the reference to a pod condition' }), { description: 'If specified, all readiness gates will be evaluated for pod readiness.', listType: 'atomic' }),
  runtimeClassName: s.string('RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.'),
  enableServiceLinks: s.bool("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables, matching the syntax of Docker links. Optional: Defaults to true."),
  preemptionPolicy: s.string({ description: 'PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.', enum: ['Never', 'PreemptLowerPriority'] }),
  overhead: s.map(s.quantity(), 'Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.'),
  topologySpreadConstraints: s.array(topologySpreadConstraintSchema, { description: 'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains. Scheduler will schedule pods in a way which abides by the constraints. All topologySpreadConstraints are ANDed.', patchMergeKey: 'topologyKey', patchStrategy: 'merge', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  setHostnameAsFQDN: s.bool("If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default). Default to false."),
  os: s.object({ name: s.string('Name is the name of the operating system. The currently supported values are linux and windows.') }, { name: `${V1}.PodOS`, required: ['name'], description: 'PodOS defines the OS parameters of a pod.' }),
  hostUsers: s.bool("Use the host's user namespace. Optional: Default to true."),
  schedulingGates: s.array(s.object({ name: s.string('Name of the scheduling gate. Each scheduling gate must have a unique name field.') }, { name: `${V1}.PodSchedulingGate`, required: ['name'], description: 'PodSchedulingGate is associated to a Pod to guard its scheduling.' }), { description: 'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  resourceClaims: s.array(s.object({
    name: s.string('Name uniquely identifies this resource claim inside the pod. This must be a DNS_LABEL.'),
    resourceClaimName: s.string('ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.  Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.'),
    resourceClaimTemplateName: s.string('ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod. The template will be used to create a new ResourceClaim, which will be bound to this pod.  Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.'),
  }, { name: `${V1}.PodResourceClaim`, required: ['name'], description: 'PodResourceClaim references exactly one ResourceClaim.' }), { description: 'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.', patchMergeKey: 'name', patchStrategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] }),
  resources: s.loose({}, 'Resources is the total amount of CPU and Memory resources required by all containers in the pod (pod-level resources; alpha).'),
}, {
  name: `${V1}.PodSpec`, required: ['containers'], validator: validatePodSpec, defaulter: serviceAccountAlias,
  description: 'PodSpec is a description of a pod.',
});

export const podTemplateSpecSchema = s.object({
  metadata: standardMetadata,
  spec: { ...podSpecSchema, description: 'Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${V1}.PodTemplateSpec`, description: 'PodTemplateSpec describes the data a pod should have when created from a template' });

export type PodSpec = Infer<typeof podSpecSchema>;
export type PodTemplateSpec = Infer<typeof podTemplateSpecSchema>;
export type LocalObjectReference = Infer<typeof localObjectReferenceSchema>;
