/**
 * storage.k8s.io/v1 CSINode as upstream: the CSI drivers installed on a node (its name is the
 * node's), ValidateCSINode (driver names as CSI driver names, unique; node IDs at most 192
 * characters; topology keys unique qualified names; allocatable count not negative), printed as
 * printCSINode: NAME, DRIVERS, AGE. The agent publishes one with no drivers for its node, as a kubelet does.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { csiDriverNameValidator } from './csi-driver.js';

export const csiNodeDriverSchema = s.object({
  name: s.string('name represents the name of the CSI driver that this object refers to. This MUST be the same name returned by the CSI GetPluginName() call for that driver.'),
  nodeID: s.string('nodeID of the node from the driver point of view. This field enables Kubernetes to communicate with storage systems that do not share the same nomenclature for nodes.'),
  topologyKeys: s.strings({ description: 'topologyKeys is the list of keys supported by the driver. When a driver is initialized on a cluster, it provides a set of topology keys that it understands (e.g. "company.com/zone", "company.com/region").', listType: 'atomic' }),
  allocatable: s.object({
    count: s.int('count indicates the maximum number of unique volumes managed by the CSI driver that can be used on a node. A volume that is both attached and mounted on a node is considered to be used once, not twice.'),
  }, { name: 'io.k8s.api.storage.v1.VolumeNodeResources', description: 'allocatable represents the volume resources of a node that are available for scheduling. This field is beta.', typeDescription: 'VolumeNodeResources is a set of resource limits for scheduling of volumes.' }),
}, { name: 'io.k8s.api.storage.v1.CSINodeDriver', required: ['name', 'nodeID'], description: 'CSINodeDriver holds information about the specification of one CSI driver installed on a node' });

export const csiNodeSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "Standard object's metadata. metadata.name must be the Kubernetes node name." },
  spec: s.object({
    drivers: s.array(csiNodeDriverSchema, { description: 'drivers is a list of information of all CSI Drivers existing on a node. If all drivers in the list are uninstalled, this can become empty.', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }),
  }, { name: 'io.k8s.api.storage.v1.CSINodeSpec', required: ['drivers'], description: 'spec is the specification of CSINode', typeDescription: 'CSINodeSpec holds information about the specification of all CSI drivers installed on a node' }),
}, { name: 'io.k8s.api.storage.v1.CSINode', gvk: gvk('storage.k8s.io', 'v1', 'CSINode'), required: ['spec'], description: "CSINode holds information about all CSI drivers installed on a node. CSI drivers do not need to create the CSINode object directly. As long as they use the node-driver-registrar sidecar container, the kubelet will automatically populate the CSINode object for the CSI driver as part of kubelet plugin registration. CSINode has the same name as a node. If the object is missing, it means either there are no CSI Drivers available on the node, or the Kubelet version is low enough that it doesn't create this object. CSINode has an OwnerReference that points to the corresponding node object." });

export type CSINode = Infer<typeof csiNodeSchema> & { metadata: ObjectMeta };

const MAX_NODE_ID = 192;

function validateCSINode(n: CSINode): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (n.spec.drivers ?? []).forEach((d, i) => {
    const p = index('spec.drivers', i);
    for (const m of csiDriverNameValidator(d.name, false)) errs.push(fe.invalid(`${p}.name`, d.name, m));
    if (names.has(d.name)) errs.push(fe.duplicate(`${p}.name`, d.name));
    names.add(d.name);
    if (!d.nodeID) errs.push(fe.required(`${p}.nodeID`, 'nodeID of the driver must not be empty'));
    else if (d.nodeID.length > MAX_NODE_ID) errs.push(fe.invalid(`${p}.nodeID`, d.nodeID, `must be ${MAX_NODE_ID} characters or less`));
    const keys = new Set<string>();
    (d.topologyKeys ?? []).forEach((k, j) => {
      const kp = index(`${p}.topologyKeys`, j);
      if (!k) errs.push(fe.required(kp));
      else for (const m of isQualifiedName(k)) errs.push(fe.invalid(kp, k, m));
      if (keys.has(k)) errs.push(fe.duplicate(kp, k));
      keys.add(k);
    });
    const count = d.allocatable?.count;
    if (count !== undefined && count < 0) errs.push(fe.invalid(`${p}.allocatable.count`, count, 'must be greater than or equal to 0'));
  });
  return errs;
}

export const csiNodes = defineKind<CSINode>({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', namespaced: false,
  schema: csiNodeSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateCSINode,
  columns: [col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node')],
  cells: (n) => [n.spec?.drivers?.length ?? 0],
});
