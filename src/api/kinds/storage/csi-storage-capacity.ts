/**
 * storage.k8s.io/v1 CSIStorageCapacity as upstream (pkg/apis/storage/validation
 * ValidateCSIStorageCapacity / ValidateCSIStorageCapacityUpdate): the capacity a CSI driver reports
 * for one StorageClass in one topology segment. storageClassName a DNS subdomain, nodeTopology a valid
 * label selector, capacity not negative; storageClassName and nodeTopology immutable (capacity and
 * maximumVolumeSize change). Printed as printCSIStorageCapacity: NAME, STORAGECLASSNAME, CAPACITY
 * (`<unset>` when absent), AGE. Bosun's own storage (local-path) publishes none.
 */
import type { ObjectMeta } from '../../meta.js';
import { parseQuantity, Quantity } from '../../quantity/index.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, validateLabelSelector } from '../meta/label-selector.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const CAPACITY_DOC = 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable.';
const CLASS_DOC = 'storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.';

export const csiStorageCapacitySchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "Standard object's metadata. The name has no particular meaning. It must be a DNS subdomain (dots allowed, 253 characters). To ensure that there are no conflicts with other CSI drivers on the cluster, the recommendation is to use csisc-<uuid>, a generated name, or a reverse-domain name which ends with the unique CSI driver name.\n\nObjects are namespaced.\n\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  nodeTopology: { ...labelSelectorSchema, description: 'nodeTopology defines which nodes have access to the storage for which capacity was reported. If not set, the storage is not accessible from any node in the cluster. If empty, the storage is accessible from all nodes. This field is immutable.' },
  storageClassName: s.string(CLASS_DOC),
  capacity: s.quantity(CAPACITY_DOC),
  maximumVolumeSize: s.quantity('maximumVolumeSize is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThis is defined since CSI spec 1.4.0 as the largest size that may be used in a CreateVolumeRequest.capacity_range.required_bytes field to create a volume with the same parameters as those in GetCapacityRequest. The corresponding value in the Kubernetes API is ResourceRequirements.Requests in a volume claim.'),
}, { name: 'io.k8s.api.storage.v1.CSIStorageCapacity', gvk: gvk('storage.k8s.io', 'v1', 'CSIStorageCapacity'), required: ['storageClassName'], description: 'CSIStorageCapacity stores the result of one CSI GetCapacity call. For a given StorageClass, this describes the available capacity in a particular topology segment.  This can be used when considering where to instantiate new PersistentVolumes.\n\nFor example this can express things like: - StorageClass "standard" has "1234 GiB" available in "topology.kubernetes.io/zone=us-east1" - StorageClass "localssd" has "10 GiB" available in "kubernetes.io/hostname=knode-abc123"\n\nThe following three cases all imply that no capacity is available for a certain combination: - no object exists with suitable topology and storage class name - such an object exists, but the capacity is unset - such an object exists, but the capacity is zero\n\nThe producer of these objects can decide which approach is more suitable.\n\nThey are consumed by the kube-scheduler when a CSI driver opts into capacity-aware scheduling with CSIDriverSpec.StorageCapacity. The scheduler compares the MaximumVolumeSize against the requested size of pending volumes to filter out unsuitable nodes. If MaximumVolumeSize is unset, it falls back to a comparison against the less precise Capacity. If that is also unset, the scheduler assumes that capacity is insufficient and tries some other node.' });

export type CSIStorageCapacity = Infer<typeof csiStorageCapacitySchema> & { metadata: ObjectMeta };

const ZERO = Quantity.fromValue(0);

function validateCSIStorageCapacity(c: CSIStorageCapacity): FieldError[] {
  const errs = validateLabelSelector(c.nodeTopology, 'nodeTopology');
  for (const m of isDNS1123Subdomain(c.storageClassName ?? '')) errs.push(fe.invalid('storageClassName', c.storageClassName ?? '', m));
  if (c.capacity !== undefined) {
    try {
      if (parseQuantity(String(c.capacity)).cmp(ZERO) < 0) errs.push(fe.invalid('capacity', String(c.capacity), 'must be greater than or equal to 0'));
    } catch { /* the schema reported it */ }
  }
  return errs;
}

function validateCSIStorageCapacityUpdate(c: CSIStorageCapacity, old: CSIStorageCapacity): FieldError[] {
  const errs: FieldError[] = [];
  if (c.storageClassName !== old.storageClassName) errs.push(fe.invalid('storageClassName', c.storageClassName ?? '', 'field is immutable'));
  if (!deepEqual(c.nodeTopology ?? null, old.nodeTopology ?? null)) errs.push(fe.invalid('nodeTopology', c.nodeTopology ?? null, 'field is immutable'));
  return errs;
}

export const csiStorageCapacities = defineKind<CSIStorageCapacity>({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', namespaced: true,
  schema: csiStorageCapacitySchema, nameValidator: nameIsDNSSubdomain,
  validate: validateCSIStorageCapacity,
  validateUpdate: validateCSIStorageCapacityUpdate,
  columns: [col('StorageClassName', 'string', CLASS_DOC), col('Capacity', 'string', CAPACITY_DOC)],
  cells: (c) => [c.storageClassName ?? '', c.capacity === undefined ? '<unset>' : String(c.capacity)],
});
