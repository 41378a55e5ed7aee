/** core/v1 Node: cluster-scoped; STATUS/ROLES/VERSION table as printNode. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { TAINT_EFFECTS } from './affinity.js';
import { normalizePodCIDRs, validateNode, validateNodeUpdate } from './node-validation.js';

const V1 = 'io.k8s.api.core.v1';

export const taintSchema = s.object({
  key: s.string('Required. The taint key to be applied to a node.'),
  value: s.string('The taint value corresponding to the taint key.'),
  effect: s.string({ description: 'Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.', enum: TAINT_EFFECTS }),
  timeAdded: s.time('TimeAdded represents the time at which the taint was added.'),
}, { name: `${V1}.Taint`, required: ['key', 'effect'], description: 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.' });

export const nodeSpecSchema = s.object({
  podCIDR: s.string('PodCIDR represents the pod IP range assigned to the node.'),
  podCIDRs: s.array(s.string(), { description: 'podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.', patchStrategy: 'merge', listType: 'set' }),
  providerID: s.string('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>'),
  unschedulable: s.bool('Unschedulable controls node schedulability of new pods. By default, node is schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/#manual-node-administration'),
  taints: s.array(taintSchema, { description: "If specified, the node's taints.", listType: 'atomic' }),
  configSource: s.loose({}, 'Deprecated: Previously used to specify the source of the node\'s configuration for the DynamicKubeletConfig feature.'),
  externalID: s.string('Deprecated. Not all kubelets will set this field.'),
}, { name: `${V1}.NodeSpec`, description: 'NodeSpec describes the attributes that a node is created with.' });

export const nodeConditionSchema = s.object({
  type: s.string('Type of node condition.'),
  status: s.string('Status of the condition, one of True, False, Unknown.'),
  lastHeartbeatTime: s.time('Last time we got an update on a given condition.'),
  lastTransitionTime: s.time('Last time the condition transit from one status to another.'),
  reason: s.string("(brief) reason for the condition's last transition."),
  message: s.string('Human readable message indicating details about last transition.'),
}, { name: `${V1}.NodeCondition`, required: ['type', 'status'], description: 'NodeCondition contains condition information for a node.' });

export const nodeAddressSchema = s.object({
  type: s.string('Node address type, one of Hostname, ExternalIP or InternalIP.'),
  address: s.string('The node address.'),
}, { name: `${V1}.NodeAddress`, required: ['type', 'address'], description: "NodeAddress contains information for the node's address." });

export const nodeSystemInfoSchema = s.object({
  machineID: s.string('MachineID reported by the node.'),
  systemUUID: s.string('SystemUUID reported by the node.'),
  bootID: s.string('Boot ID reported by the node.'),
  kernelVersion: s.string("Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
  osImage: s.string('OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
  containerRuntimeVersion: s.string('ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  kubeletVersion: s.string('Kubelet Version reported by the node.'),
  kubeProxyVersion: s.string('Deprecated: KubeProxy Version reported by the node.'),
  operatingSystem: s.string('The Operating System reported by the node'),
  architecture: s.string('The Architecture reported by the node'),
}, { name: `${V1}.NodeSystemInfo`, description: 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.' });

export const nodeStatusSchema = s.object({
  capacity: s.map(s.quantity(), 'Capacity represents the total resources of a node. More info: https://kubernetes.io/docs/reference/node/node-status/#capacity'),
  allocatable: s.map(s.quantity(), 'Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.'),
  phase: s.string({ description: 'NodePhase is the recently observed lifecycle phase of the node. Deprecated.\n\nPossible enum values:\n - `"Pending"` means the node has been created/added by the system, but not configured.\n - `"Running"` means the node has been configured and has Kubernetes components running.\n - `"Terminated"` means the node has been removed from the cluster.', enum: ['Pending', 'Running', 'Terminated'] }),
  conditions: s.array(nodeConditionSchema, { description: 'Conditions is an array of current observed node conditions. More info: https://kubernetes.io/docs/reference/node/node-status/#condition', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  addresses: s.array(nodeAddressSchema, { description: 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  daemonEndpoints: s.loose({ kubeletEndpoint: s.loose({ Port: s.int('Port number of the given endpoint.') }, 'Endpoint on which Kubelet is listening.') }, { name: `${V1}.NodeDaemonEndpoints`, description: 'Endpoints of daemons running on the Node.' }),
  nodeInfo: { ...nodeSystemInfoSchema, description: 'Set of ids/uuids to uniquely identify the node. More info: https://kubernetes.io/docs/reference/node/node-status/#info' },
  images: s.array(s.object({
    names: s.strings('Names by which this image is known. e.g. ["kubernetes.example/hyperkube:v1.0.7", "cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7"]'),
    sizeBytes: s.int64('The size of the image in bytes.'),
  }, { name: `${V1}.ContainerImage`, description: 'Describe a container image' }), { description: 'List of container images on this node', listType: 'atomic' }),
  volumesInUse: s.strings('List of attachable volumes in use (mounted) by the node.'),
  volumesAttached: s.array(s.loose({ name: s.string('Name of the attached volume'), devicePath: s.string('DevicePath represents the device path where the volume should be available') }), { description: 'List of volumes that are attached to the node.', listType: 'atomic' }),
  config: s.loose({}, 'Status of the config assigned to the node via the dynamic Kubelet config feature.'),
  runtimeHandlers: s.array(s.loose({}), { description: 'The available runtime handlers.', listType: 'atomic' }),
  features: s.loose({}, 'Features describes the set of features implemented by the CRI implementation.'),
}, { name: `${V1}.NodeStatus`, description: 'NodeStatus is information about the current status of a node.' });

export const nodeSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...nodeSpecSchema, description: 'Spec defines the behavior of a node. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...nodeStatusSchema, description: 'Most recently observed status of the node. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${V1}.Node`, gvk: gvk('', 'v1', 'Node'), description: 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).' });

export type Node = Infer<typeof nodeSchema> & { metadata: ObjectMeta };
export type NodeSpec = Infer<typeof nodeSpecSchema>;
export type NodeStatus = Infer<typeof nodeStatusSchema>;
export type NodeCondition = Infer<typeof nodeConditionSchema>;
export type ContainerImage = NonNullable<NodeStatus['images']>[number];
export type Taint = Infer<typeof taintSchema>;

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** findNodeRoles: `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** printNode's STATUS: Ready/NotReady/Unknown plus SchedulingDisabled. */
export function nodeStatusText(node: Node): string {
  const conditions = new Map((node.status?.conditions ?? []).map((c) => [c.type, c]));
  const statuses: string[] = [];
  const ready = conditions.get('Ready');
  if (ready) statuses.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (statuses.length === 0) statuses.push('Unknown');
  if (node.spec?.unschedulable) statuses.push('SchedulingDisabled');
  return statuses.join(',');
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address || NONE;
}

export const nodes = defineKind<Node>({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'],
  subresources: ['status', 'proxy'],
  schema: nodeSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (node) => {
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
    normalizePodCIDRs(node);
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  hasStatusSubresource: true,
  selectableFields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),
  columns: [
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', true),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', true),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', true),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", true),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', true),
  ],
  ageAt: 2,
  cells: (node) => {
    const roles = nodeRoles(node);
    const info = node.status?.nodeInfo;
    return [
      nodeStatusText(node), roles.length ? roles.join(',') : NONE, info?.kubeletVersion ?? '',
      address(node, 'InternalIP'), address(node, 'ExternalIP'),
      info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
    ];
  },
});
