/**
 * core/v1 PersistentVolumeClaim as upstream: schema, SetDefaults_PersistentVolumeClaim (phase
 * Pending, volumeMode Filesystem), ValidatePersistentVolumeClaim(Update) (spec immutable except
 * resources.requests of a bound claim, volumeName once, no shrinking) and printPersistentVolumeClaim.
 */
import { cloneJson } from '../../json-clone.js';
import type { ObjectMeta } from '../../meta.js';
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
import { accessModesString, storageOf, validateAccessModes, validateVolumeMode, ZERO } from './persistent-volume-common.js';

const V1 = 'io.k8s.api.core.v1';

export const typedLocalObjectReferenceSchema = s.object({
  apiGroup: s.string('APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.'),
  kind: s.string('Kind is the type of resource being referenced'),
  name: s.string('Name is the name of resource being referenced'),
}, { name: `${V1}.TypedLocalObjectReference`, required: ['kind', 'name'], mapType: 'atomic', description: 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.' });

const typedObjectReferenceSchema = s.object({
  apiGroup: s.string('APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.'),
  kind: s.string('Kind is the type of resource being referenced'),
  name: s.string('Name is the name of resource being referenced'),
  namespace: s.string("Namespace is the namespace of resource being referenced Note that when a namespace is specified, a gateway.networking.k8s.io/ReferenceGrant object is required in the referent namespace to allow that namespace's owner to accept the reference. See the ReferenceGrant documentation for details. (Alpha) This field requires the CrossNamespaceVolumeDataSource feature gate to be enabled."),
}, { name: `${V1}.TypedObjectReference`, required: ['kind', 'name'], description: 'TypedObjectReference contains enough information to let you locate the typed referenced object' });

export const volumeResourceRequirementsSchema = s.object({
  limits: s.map(s.quantity(), 'Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'),
  requests: s.map(s.quantity(), 'Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'),
}, { name: `${V1}.VolumeResourceRequirements`, description: 'VolumeResourceRequirements describes the storage resource requirements for a volume.' });

export const persistentVolumeClaimSpecSchema = s.object({
  accessModes: s.array(s.string({ enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] }), { description: 'accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1', listType: 'atomic' }),
  selector: { ...labelSelectorSchema, description: 'selector is a label query over volumes to consider for binding.' },
  resources: { ...volumeResourceRequirementsSchema, description: "resources represents the minimum resources the volume should have. If RecoverVolumeExpansionFailure feature is enabled users are allowed to specify resource requirements that are lower than previous value but must still be higher than capacity recorded in the status field of the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#resources" },
  volumeName: s.string('volumeName is the binding reference to the PersistentVolume backing this claim.'),
  storageClassName: s.string('storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1'),
  volumeMode: s.string({ description: 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', enum: ['Block', 'Filesystem'] }),
  dataSource: { ...typedLocalObjectReferenceSchema, description: 'dataSource field can be used to specify either: * An existing VolumeSnapshot object (snapshot.storage.k8s.io/VolumeSnapshot) * An existing PVC (PersistentVolumeClaim) If the provisioner or an external controller can support the specified data source, it will create a new volume based on the contents of the specified data source.' },
  dataSourceRef: { ...typedObjectReferenceSchema, description: 'dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.' },
  volumeAttributesClassName: s.string('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
}, { name: `${V1}.PersistentVolumeClaimSpec`, description: 'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes' });

export const persistentVolumeClaimConditionSchema = s.object({
  type: s.string('Type is the type of the condition. More info: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#:~:text=set%20to%20%27ResizeStarted%27.-,PersistentVolumeClaimCondition,-contains%20details%20about'),
  status: s.string('Status is the status of the condition. Can be True, False, Unknown.'),
  lastProbeTime: s.time('lastProbeTime is the time we probed the condition.'),
  lastTransitionTime: s.time('lastTransitionTime is the time the condition transitioned from one status to another.'),
  reason: s.string('reason is a unique, this should be a short, machine understandable string that gives the reason for condition\'s last transition.'),
  message: s.string('message is the human-readable message indicating details about last transition.'),
}, { name: `${V1}.PersistentVolumeClaimCondition`, required: ['type', 'status'], description: 'PersistentVolumeClaimCondition contains details about state of pvc' });

export const persistentVolumeClaimStatusSchema = s.object({
  phase: s.string({ description: 'phase represents the current phase of PersistentVolumeClaim.', enum: ['Bound', 'Lost', 'Pending'] }),
  accessModes: s.array(s.string({ enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] }), { description: 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1', listType: 'atomic' }),
  capacity: s.map(s.quantity(), 'capacity represents the actual resources of the underlying volume.'),
  conditions: s.array(persistentVolumeClaimConditionSchema, { description: "conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  allocatedResources: s.map(s.quantity(), 'allocatedResources tracks the resources allocated to a PVC including its capacity.'),
  allocatedResourceStatuses: s.stringMap('allocatedResourceStatuses stores status of resource being resized for the given PVC.'),
  currentVolumeAttributesClassName: s.string('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
  modifyVolumeStatus: s.loose({}, 'ModifyVolumeStatus represents the status object of ControllerModifyVolume operation. When this is unset, there is no ModifyVolume operation being attempted.'),
}, { name: `${V1}.PersistentVolumeClaimStatus`, description: 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.' });

export const persistentVolumeClaimSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...persistentVolumeClaimSpecSchema, description: 'spec defines the desired characteristics of a volume requested by a pod author. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims' },
  status: { ...persistentVolumeClaimStatusSchema, description: 'status represents the current information/status of a persistent volume claim. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims' },
}, { name: `${V1}.PersistentVolumeClaim`, gvk: gvk('', 'v1', 'PersistentVolumeClaim'), description: "PersistentVolumeClaim is a user's request for and claim to a persistent volume" });

export type PersistentVolumeClaim = Infer<typeof persistentVolumeClaimSchema> & { metadata: ObjectMeta };
export type PersistentVolumeClaimSpec = Infer<typeof persistentVolumeClaimSpecSchema>;

function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
  pvc.status ??= {};
  pvc.status.phase ||= 'Pending';
}

/** ValidatePersistentVolumeClaimSpec (also what a StatefulSet's volumeClaimTemplates are checked with). */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const sp = spec ?? {};
  const errs = validateAccessModes(sp.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  if (sp.selector) errs.push(...validateLabelSelector(sp.selector, `${path}.selector`));
  const q = storageOf(sp.resources?.requests);
  if (!sp.resources?.requests || !('storage' in sp.resources.requests)) errs.push(fe.required(`${path}.resources[storage]`));
  else if (q && q.cmp(ZERO) <= 0) errs.push(fe.invalid(`${path}.resources[storage]`, String(sp.resources.requests.storage), 'must be greater than zero'));
  if (sp.storageClassName) {
    for (const m of isDNS1123Subdomain(sp.storageClassName)) errs.push(fe.invalid(`${path}.storageClassName`, sp.storageClassName, m));
  }
  errs.push(...validateVolumeMode(sp.volumeMode, `${path}.volumeMode`));
  return errs;
}

/**
 * ValidatePersistentVolumeClaimUpdate: the spec is immutable except volumeName once (the binder),
 * storageClassName from unset, and resources.requests of a bound claim, which may not shrink.
 */
function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs: FieldError[] = [];
  const next = cloneJson(pvc.spec ?? {});
  const prev = cloneJson(old.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if (prev.storageClassName === undefined) prev.storageClassName = next.storageClassName;
  if (pvc.status?.phase === 'Bound' && next.resources?.requests && prev.resources) {
    prev.resources = { ...prev.resources, requests: { ...prev.resources.requests, storage: next.resources.requests.storage! } };
  }
  if (!deepEqual(next, prev)) errs.push(fe.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  const newSize = storageOf(pvc.spec?.resources?.requests);
  const oldSize = storageOf(old.spec?.resources?.requests);
  if (newSize && oldSize && newSize.cmp(oldSize) < 0) errs.push(fe.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errs;
}

export const persistentVolumeClaims = defineKind<PersistentVolumeClaim>({
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'],
  subresources: ['status'],
  schema: persistentVolumeClaimSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultPersistentVolumeClaim,
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc.spec, 'spec'),
  validateUpdate: validatePersistentVolumeClaimUpdate,
  hasStatusSubresource: true,
  columns: [
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', true),
  ],
  cells: (pvc) => {
    const spec = pvc.spec ?? {};
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    const bound = !!spec.volumeName;
    return [
      phase, spec.volumeName ?? '', bound ? (storageOf(pvc.status?.capacity)?.toString() ?? '') : '', bound ? accessModesString(pvc.status?.accessModes) : '',
      spec.storageClassName ?? '', spec.volumeAttributesClassName || '<unset>', spec.volumeMode ?? '<unset>',
    ];
  },
});
