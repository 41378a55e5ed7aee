/**
 * core/v1 PersistentVolume as upstream: schema, SetDefaults_PersistentVolume (phase Pending,
 * reclaim policy Retain, volumeMode Filesystem), ValidatePersistentVolume(Update) and the kubectl
 * table of pkg/printers/internalversion (printPersistentVolume). The sources Bosun's agent mounts
 * (hostPath, local) are typed; the other upstream sources are accepted loosely.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { child, fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { nodeSelectorSchema } from './affinity.js';
import { accessModesString, storageOf, ZERO, validateAccessModes, validateVolumeMode } from './persistent-volume-common.js';
import { objectReferenceSchema } from './service-account.js';
import { hostPathSchema } from './volume.js';

const V1 = 'io.k8s.api.core.v1';

export const localVolumeSchema = s.object({
  path: s.string('path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).'),
  fsType: s.string('fsType is the filesystem type to mount. It applies only when the Path is a block device. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default value is to auto-select a filesystem if unspecified.'),
}, { name: `${V1}.LocalVolumeSource`, required: ['path'], description: 'Local represents directly-attached storage with node affinity' });

export const volumeNodeAffinitySchema = s.object({
  required: { ...nodeSelectorSchema, description: 'required specifies hard node constraints that must be met.' },
}, { name: `${V1}.VolumeNodeAffinity`, description: 'VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.' });

/** Upstream PV sources Bosun's agent does not mount; accepted and kept. */
const LOOSE_PV_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'glusterfs', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;
const loosePvSources = Object.fromEntries(LOOSE_PV_SOURCES.map((k) => [k, s.loose({}, `${k} volume source (accepted; not mounted by Bosun).`)])) as {
  [K in (typeof LOOSE_PV_SOURCES)[number]]: ReturnType<typeof s.loose<{}>>;
};

export const persistentVolumeSpecSchema = s.object({
  capacity: s.map(s.quantity(), "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
  accessModes: s.array(s.string({ enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] }), { description: 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes', listType: 'atomic' }),
  claimRef: { ...objectReferenceSchema, description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding' },
  persistentVolumeReclaimPolicy: s.string({ description: 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming', enum: ['Delete', 'Recycle', 'Retain'] }),
  storageClassName: s.string('storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'),
  mountOptions: s.strings({ description: 'mountOptions is the list of mount options, e.g. ["ro", "soft"]. Not validated - mount will simply fail if one is invalid. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes/#mount-options', listType: 'atomic' }),
  volumeMode: s.string({ description: 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', enum: ['Block', 'Filesystem'] }),
  nodeAffinity: { ...volumeNodeAffinitySchema, description: 'nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.' },
  volumeAttributesClassName: s.string('Name of VolumeAttributesClass to which this persistent volume belongs. Empty value is not allowed.'),
  hostPath: { ...hostPathSchema, description: 'hostPath represents a directory on the host. Provisioned by a developer or tester. This is useful for single-node development and testing only! On-host storage is not supported in any way and WILL NOT WORK in a multi-node cluster. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath' },
  local: { ...localVolumeSchema, description: 'local represents directly-attached storage with node affinity' },
  ...loosePvSources,
}, { name: `${V1}.PersistentVolumeSpec`, description: 'PersistentVolumeSpec is the specification of a persistent volume.' });

export const persistentVolumeStatusSchema = s.object({
  phase: s.string({ description: 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase', enum: ['Available', 'Bound', 'Failed', 'Pending', 'Released'] }),
  message: s.string('message is a human-readable message indicating details about why the volume is in this state.'),
  reason: s.string('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
  lastPhaseTransitionTime: s.time('lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions.'),
}, { name: `${V1}.PersistentVolumeStatus`, description: 'PersistentVolumeStatus is the current status of a persistent volume.' });

export const persistentVolumeSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...persistentVolumeSpecSchema, description: 'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes' },
  status: { ...persistentVolumeStatusSchema, description: 'status represents the current information/status for the persistent volume. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes' },
}, { name: `${V1}.PersistentVolume`, gvk: gvk('', 'v1', 'PersistentVolume'), description: 'PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes' });

export type PersistentVolume = Infer<typeof persistentVolumeSchema> & { metadata: ObjectMeta };
export type PersistentVolumeSpec = Infer<typeof persistentVolumeSpecSchema>;

/** The source fields of a PV spec: exactly one must be set. */
export const PV_SOURCES = ['hostPath', 'local', ...LOOSE_PV_SOURCES] as const;
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ||= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  pv.status ??= {};
  pv.status.phase ||= 'Pending';
}

/** ValidatePersistentVolumeSpec for what Bosun types; the path and message wording are upstream's. */
function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  const cap = spec.capacity;
  if (!cap || !('storage' in cap) || Object.keys(cap).length > 1) {
    errs.push(fe.notSupported('spec.capacity', cap ?? null, ['storage']));
  }
  const q = storageOf(cap);
  if (q && q.cmp(ZERO) < 0) errs.push(fe.invalid('spec.capacity[storage]', String(cap!.storage), 'must be greater than or equal to 0'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(fe.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  if (spec.storageClassName) {
    for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(fe.invalid('spec.storageClassName', spec.storageClassName, m));
  }
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  const sources = PV_SOURCES.filter((k) => spec[k] !== undefined);
  if (sources.length === 0) errs.push(fe.required('spec', 'must specify a volume type'));
  for (const k of sources.slice(1)) errs.push(fe.forbidden(child('spec', k), 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    if (!spec.hostPath.path) errs.push(fe.required('spec.hostPath.path'));
    else if (spec.hostPath.path.split('/').includes('..')) errs.push(fe.invalid('spec.hostPath.path', spec.hostPath.path, "must not contain '..'"));
  }
  if (spec.local) {
    if (!spec.local.path) errs.push(fe.required('spec.local.path'));
    else if (!spec.local.path.startsWith('/')) errs.push(fe.invalid('spec.local.path', spec.local.path, 'must be an absolute path'));
    if (!spec.nodeAffinity) errs.push(fe.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (spec.nodeAffinity) {
    const req = spec.nodeAffinity.required;
    if (!req) errs.push(fe.required('spec.nodeAffinity.required', 'must specify required node constraints'));
    else if (!req.nodeSelectorTerms?.length) errs.push(fe.required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'));
  }
  return errs;
}

/** ValidatePersistentVolumeUpdate: the source, volumeMode and a set nodeAffinity are immutable. */
function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs: FieldError[] = [];
  const src = (p: PersistentVolume): unknown => Object.fromEntries(PV_SOURCES.map((k) => [k, p.spec?.[k]]));
  if (!deepEqual(src(pv), src(old))) errs.push(fe.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(fe.invalid('spec.volumeMode', pv.spec?.volumeMode ?? null, 'field is immutable'));
  if (old.spec?.nodeAffinity && !deepEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) errs.push(fe.invalid('spec.nodeAffinity', pv.spec?.nodeAffinity ?? null, 'field is immutable'));
  return errs;
}

export const persistentVolumes = defineKind<PersistentVolume>({
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'],
  subresources: ['status'],
  schema: persistentVolumeSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultPersistentVolume,
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  hasStatusSubresource: true,
  columns: [
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', true),
  ],
  cells: (pv) => {
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return [
      storageOf(spec.capacity)?.toString() ?? '', accessModesString(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim,
      spec.storageClassName ?? '', spec.volumeAttributesClassName || '<unset>', pv.status?.reason ?? '', spec.volumeMode ?? '<unset>',
    ];
  },
});
