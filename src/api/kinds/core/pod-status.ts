/** core/v1 PodStatus and ContainerStatus. */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';

const V1 = 'io.k8s.api.core.v1';

export const POD_PHASES = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] as const;

export const podConditionSchema = s.object({
  type: s.string('Type is the type of the condition. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions'),
  status: s.string('Status is the status of the condition. Can be True, False, Unknown. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions'),
  lastProbeTime: s.time('Last time we probed the condition.'),
  lastTransitionTime: s.time('Last time the condition transitioned from one status to another.'),
  reason: s.string("Unique, one-word, CamelCase reason for the condition's last transition."),
  message: s.string('Human-readable message indicating details about last transition.'),
}, { name: `${V1}.PodCondition`, required: ['type', 'status'], description: 'PodCondition contains details for the current condition of this pod.' });

export const containerStateSchema = s.object({
  waiting: s.object({
    reason: s.string('(brief) reason the container is not yet running.'),
    message: s.string('Message regarding why the container is not yet running.'),
  }, { name: `${V1}.ContainerStateWaiting`, description: 'Details about a waiting container' }),
  running: s.object({
    startedAt: s.time('Time at which the container was last (re-)started'),
  }, { name: `${V1}.ContainerStateRunning`, description: 'Details about a running container' }),
  terminated: s.object({
    exitCode: s.int('Exit status from the last termination of the container'),
    signal: s.int('Signal from the last termination of the container'),
    reason: s.string('(brief) reason from the last termination of the container'),
    message: s.string('Message regarding the last termination of the container'),
    startedAt: s.time('Time at which previous execution of the container started'),
    finishedAt: s.time('Time at which the container last terminated'),
    containerID: s.string("Container's ID in the format '<type>://<container_id>'"),
  }, { name: `${V1}.ContainerStateTerminated`, required: ['exitCode'], description: 'Details about a terminated container' }),
}, { name: `${V1}.ContainerState`, description: 'ContainerState holds a possible state of container. Only one of its members may be specified. If none of them is specified, the default one is ContainerStateWaiting.' });

export const containerStatusSchema = s.object({
  name: s.string('Name is a DNS_LABEL representing the unique name of the container. Each container in a pod must have a unique name across all container types. Cannot be updated.'),
  state: { ...containerStateSchema, description: "State holds details about the container's current condition." },
  lastState: { ...containerStateSchema, description: "LastTerminationState holds the last termination state of the container to help debug container crashes and restarts." },
  ready: s.bool("Ready specifies whether the container is currently passing its readiness check. The value will change as readiness probes keep executing."),
  restartCount: s.int('RestartCount holds the number of times the container has been restarted.'),
  image: s.string('Image is the name of container image that the container is running.'),
  imageID: s.string("ImageID is the image ID of the container's image."),
  containerID: s.string("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
  started: s.bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
  allocatedResources: s.map(s.quantity(), 'AllocatedResources represents the compute resources allocated for this container by the node.'),
  resources: s.loose({}, 'Resources represents the compute resource requests and limits that have been successfully enacted on the running container after it has been started or has been successfully resized.'),
  volumeMounts: s.array(s.loose({ name: s.string('Name corresponds to the name of the original VolumeMount.'), mountPath: s.string('MountPath corresponds to the original VolumeMount.') }), { description: 'Status of volume mounts.', patchMergeKey: 'mountPath', patchStrategy: 'merge', listType: 'map', listMapKeys: ['mountPath'] }),
  user: s.loose({}, 'User represents user identity information initially attached to the first process of the container'),
  allocatedResourcesStatus: s.array(s.loose({}), { description: 'AllocatedResourcesStatus represents the status of various resources allocated for this Pod.', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
}, { name: `${V1}.ContainerStatus`, required: ['name'], description: 'ContainerStatus contains details for the current status of this container.' });

const podIPSchema = s.object({ ip: s.string('IP is the IP address assigned to the pod') }, { name: `${V1}.PodIP`, required: ['ip'], description: 'PodIP represents a single IP address allocated to the pod.' });
const hostIPSchema = s.object({ ip: s.string('IP is the IP address assigned to the host') }, { name: `${V1}.HostIP`, required: ['ip'], description: 'HostIP represents a single IP address allocated to the host.' });

export const podStatusSchema = s.object({
  phase: s.string({ description: "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.\n\nPossible enum values:\n - `\"Failed\"` means that all containers in the pod have terminated, and at least one container has terminated in a failure.\n - `\"Pending\"` means the pod has been accepted by the system, but one or more of the containers has not been started.\n - `\"Running\"` means the pod has been bound to a node and all of the containers have been started.\n - `\"Succeeded\"` means that all containers in the pod have voluntarily terminated with a container exit code of 0.\n - `\"Unknown\"` means that for some reason the state of the pod could not be obtained.", enum: POD_PHASES }),
  conditions: s.array(podConditionSchema, { description: 'Current service state of pod. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  message: s.string('A human readable message indicating details about why the pod is in this condition.'),
  reason: s.string("A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'"),
  nominatedNodeName: s.string('nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.'),
  hostIP: s.string('hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod has not started yet.'),
  hostIPs: s.array(hostIPSchema, { description: 'hostIPs holds the IP addresses allocated to the host.', patchMergeKey: 'ip', patchStrategy: 'merge', listType: 'atomic' }),
  podIP: s.string('podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
  podIPs: s.array(podIPSchema, { description: 'podIPs holds the IP addresses allocated to the pod.', patchMergeKey: 'ip', patchStrategy: 'merge', listType: 'map', listMapKeys: ['ip'] }),
  startTime: s.time('RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is before the Kubelet pulled the container image(s) for the pod.'),
  initContainerStatuses: s.array(containerStatusSchema, { description: 'Statuses of init containers in this pod.', listType: 'atomic' }),
  containerStatuses: s.array(containerStatusSchema, { description: 'Statuses of containers in this pod. Each container in the pod should have at most one status in this list, and all statuses should be for containers in the pod.', listType: 'atomic' }),
  qosClass: s.string({ description: 'The Quality of Service (QOS) classification assigned to the pod based on resource requirements. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#quality-of-service-classes', enum: ['BestEffort', 'Burstable', 'Guaranteed'] }),
  ephemeralContainerStatuses: s.array(containerStatusSchema, { description: 'Statuses for any ephemeral containers that have run in this pod.', listType: 'atomic' }),
  resize: s.string('Status of resources resize desired for pod\'s containers.'),
  resourceClaimStatuses: s.array(s.loose({ name: s.string('Name uniquely identifies this resource claim inside the pod.') }), { description: 'Status of resource claims.', patchMergeKey: 'name', patchStrategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] }),
}, { name: `${V1}.PodStatus`, description: 'PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.' });

export type PodStatus = Infer<typeof podStatusSchema>;
export type PodCondition = Infer<typeof podConditionSchema>;
export type ContainerStatus = Infer<typeof containerStatusSchema>;
export type ContainerState = Infer<typeof containerStateSchema>;
export type PodPhase = (typeof POD_PHASES)[number];
