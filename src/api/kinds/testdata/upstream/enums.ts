/**
 * Enum values of upstream v1.32, which the client models drop (upstream's OpenAPI carries them as
 * `enum` and as the "Possible enum values" of the description): for every string field Bosun serves
 * whose upstream Go type is marked `// +enum`, and every field Bosun serves an enum for, the values
 * of that type's constants and the line of its `type X string` declaration (the `+enum` marker sits
 * above it, the constants below). Paths are under staging/src/k8s.io/ in kubernetes/kubernetes at
 * tag v1.32.0, as in list-markers.ts. Hand-kept; the drift test checks it both ways.
 *
 * Row: [`<group>.<Type>.<field>`, upstream's values (sorted), upstream file:line].
 */
export const ENUMS: readonly (readonly [string, readonly string[], string])[] = [
  ['apps.DaemonSetUpdateStrategy.type', ['OnDelete', 'RollingUpdate'], 'api/apps/v1/types.go:588'],
  ['apps.DeploymentStrategy.type', ['Recreate', 'RollingUpdate'], 'api/apps/v1/types.go:443'],
  ['apps.StatefulSetSpec.podManagementPolicy', ['OrderedReady', 'Parallel'], 'api/apps/v1/types.go:68'],
  ['apps.StatefulSetUpdateStrategy.type', ['OnDelete', 'RollingUpdate'], 'api/apps/v1/types.go:98'],
  ['batch.CronJobSpec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace'], 'api/batch/v1/types.go:788'],
  ['batch.JobSpec.completionMode', ['Indexed', 'NonIndexed'], 'api/batch/v1/types.go:104'],
  ['batch.JobSpec.podReplacementPolicy', ['Failed', 'TerminatingOrFailed'], 'api/batch/v1/types.go:155'],
  ['batch.PodFailurePolicyOnExitCodesRequirement.operator', ['In', 'NotIn'], 'api/batch/v1/types.go:146'],
  ['batch.PodFailurePolicyRule.action', ['Count', 'FailIndex', 'FailJob', 'Ignore'], 'api/batch/v1/types.go:121'],
  ['core.AppArmorProfile.type', ['Localhost', 'RuntimeDefault', 'Unconfined'], 'api/core/v1/types.go:4578'],
  ['core.ContainerPort.protocol', ['SCTP', 'TCP', 'UDP'], 'api/core/v1/types.go:1254'],
  ['core.Container.imagePullPolicy', ['Always', 'IfNotPresent', 'Never'], 'api/core/v1/types.go:2607'],
  ['core.Container.terminationMessagePolicy', ['FallbackToLogsOnError', 'File'], 'api/core/v1/types.go:2658'],
  ['core.EndpointPort.protocol', ['SCTP', 'TCP', 'UDP'], 'api/core/v1/types.go:1254'],
  ['core.EphemeralContainer.imagePullPolicy', ['Always', 'IfNotPresent', 'Never'], 'api/core/v1/types.go:2607'],
  ['core.EphemeralContainer.terminationMessagePolicy', ['FallbackToLogsOnError', 'File'], 'api/core/v1/types.go:2658'],
  ['core.HTTPGetAction.scheme', ['HTTP', 'HTTPS'], 'api/core/v1/types.go:2513'],
  ['core.HostPathVolumeSource.type', ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], 'api/core/v1/types.go:915'],
  ['core.NamespaceStatus.phase', ['Active', 'Terminating'], 'api/core/v1/types.go:6558'],
  ['core.NodeSelectorRequirement.operator', ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], 'api/core/v1/types.go:3458'],
  ['core.NodeStatus.phase', ['Pending', 'Running', 'Terminated'], 'api/core/v1/types.go:6349'],
  ['core.PersistentVolumeClaimSpec.accessModes', ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'], 'api/core/v1/types.go:867'],
  ['core.PersistentVolumeClaimSpec.volumeMode', ['Block', 'Filesystem'], 'api/core/v1/types.go:470'],
  ['core.PersistentVolumeClaimStatus.accessModes', ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'], 'api/core/v1/types.go:867'],
  ['core.PersistentVolumeClaimStatus.phase', ['Bound', 'Lost', 'Pending'], 'api/core/v1/types.go:901'],
  ['core.PersistentVolumeSpec.accessModes', ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'], 'api/core/v1/types.go:867'],
  ['core.PersistentVolumeSpec.persistentVolumeReclaimPolicy', ['Delete', 'Recycle', 'Retain'], 'api/core/v1/types.go:454'],
  ['core.PersistentVolumeSpec.volumeMode', ['Block', 'Filesystem'], 'api/core/v1/types.go:470'],
  ['core.PersistentVolumeStatus.phase', ['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'api/core/v1/types.go:882'],
  ['core.PodSecurityContext.fsGroupChangePolicy', ['Always', 'OnRootMismatch'], 'api/core/v1/types.go:4351'],
  ['core.PodSecurityContext.supplementalGroupsPolicy', ['Merge', 'Strict'], 'api/core/v1/types.go:4368'],
  ['core.PodSpec.dnsPolicy', ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], 'api/core/v1/types.go:3383'],
  ['core.PodSpec.preemptionPolicy', ['Never', 'PreemptLowerPriority'], 'api/core/v1/types.go:2647'],
  ['core.PodSpec.restartPolicy', ['Always', 'Never', 'OnFailure'], 'api/core/v1/types.go:3365'],
  ['core.PodStatus.phase', ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'], 'api/core/v1/types.go:3238'],
  ['core.PodStatus.qosClass', ['BestEffort', 'Burstable', 'Guaranteed'], 'api/core/v1/types.go:4592'],
  ['core.PortStatus.protocol', ['SCTP', 'TCP', 'UDP'], 'api/core/v1/types.go:1254'],
  ['core.SeccompProfile.type', ['Localhost', 'RuntimeDefault', 'Unconfined'], 'api/core/v1/types.go:4546'],
  ['core.SecurityContext.procMount', ['Default', 'Unmasked'], 'api/core/v1/types.go:7780'],
  ['core.ServicePort.protocol', ['SCTP', 'TCP', 'UDP'], 'api/core/v1/types.go:1254'],
  ['core.ServiceSpec.externalTrafficPolicy', ['Cluster', 'Local'], 'api/core/v1/types.go:5314'],
  ['core.ServiceSpec.internalTrafficPolicy', ['Cluster', 'Local'], 'api/core/v1/types.go:5295'],
  ['core.ServiceSpec.ipFamilies', ['', 'IPv4', 'IPv6'], 'api/core/v1/types.go:5413'],
  ['core.ServiceSpec.ipFamilyPolicy', ['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'api/core/v1/types.go:5426'],
  ['core.ServiceSpec.sessionAffinity', ['ClientIP', 'None'], 'api/core/v1/types.go:5240'],
  ['core.ServiceSpec.type', ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'api/core/v1/types.go:5270'],
  ['core.Taint.effect', ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'api/core/v1/types.go:3710'],
  ['core.Toleration.effect', ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'api/core/v1/types.go:3710'],
  ['core.Toleration.operator', ['Equal', 'Exists'], 'api/core/v1/types.go:3764'],
  ['core.TopologySpreadConstraint.nodeAffinityPolicy', ['Honor', 'Ignore'], 'api/core/v1/types.go:4204'],
  ['core.TopologySpreadConstraint.nodeTaintsPolicy', ['Honor', 'Ignore'], 'api/core/v1/types.go:4204'],
  ['core.TopologySpreadConstraint.whenUnsatisfiable', ['DoNotSchedule', 'ScheduleAnyway'], 'api/core/v1/types.go:4191'],
  ['core.VolumeMount.mountPropagation', ['Bidirectional', 'HostToContainer', 'None'], 'api/core/v1/types.go:2308'],
  ['discovery.EndpointSlice.addressType', ['FQDN', 'IPv4', 'IPv6'], 'api/discovery/v1/types.go:64'],
  ['policy.PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy', ['AlwaysAllow', 'IfHealthyBudget'], 'api/policy/v1/types.go:83'],
  ['storage.StorageClass.volumeBindingMode', ['Immediate', 'WaitForFirstConsumer'], 'api/storage/v1/types.go:100'],
  // Types from another package (core/v1, meta/v1) used by other groups' fields.
  ['storage.StorageClass.reclaimPolicy', ['Delete', 'Recycle', 'Retain'], 'api/core/v1/types.go:454'],
  ['discovery.EndpointPort.protocol', ['SCTP', 'TCP', 'UDP'], 'api/core/v1/types.go:1254'],
  ['scheduling.PriorityClass.preemptionPolicy', ['Never', 'PreemptLowerPriority'], 'api/core/v1/types.go:2647'],
  // DeletionPropagation has no +enum marker: upstream serves no enum here.
  ['meta.DeleteOptions.propagationPolicy', [], 'apimachinery/pkg/apis/meta/v1/types.go:495'],
];
