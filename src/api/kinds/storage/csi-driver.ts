/**
 * storage.k8s.io/v1 CSIDriver as upstream: SetDefaults_CSIDriver (attachRequired true,
 * podInfoOnMount, storageCapacity, requiresRepublish and seLinuxMount false, fsGroupPolicy
 * ReadWriteOnceWithFSType, volumeLifecycleModes [Persistent]), ValidateCSIDriver (name as
 * ValidateCSIDriverName, lifecycle modes, fsGroupPolicy, token requests) and ValidateCSIDriverUpdate
 * (attachRequired, fsGroupPolicy and volumeLifecycleModes immutable), printed as printCSIDriver.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Subdomain, type NameValidator } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

// validateVolumeLifecycleModes and validateFSGroupPolicy list them in this order.
const LIFECYCLE_MODES = ['Persistent', 'Ephemeral'] as const;
const FS_GROUP_POLICIES = ['ReadWriteOnceWithFSType', 'File', 'None'] as const;

export const tokenRequestSchema = s.object({
  audience: s.string('audience is the intended audience of the token in "TokenRequestSpec". It will default to the audiences of kube apiserver.'),
  expirationSeconds: s.int64('expirationSeconds is the duration of validity of the token in "TokenRequestSpec". It has the same default value of "ExpirationSeconds" in "TokenRequestSpec".'),
}, { name: 'io.k8s.api.storage.v1.TokenRequest', required: ['audience'], description: 'TokenRequest contains parameters of a service account token.' });

export const csiDriverSpecSchema = s.object({
  attachRequired: s.bool('attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.\n\nThis field is immutable.'),
  podInfoOnMount: s.bool('podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable.'),
  volumeLifecycleModes: s.array(s.string(), { description: 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is "Persistent", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThis field is beta. This field is immutable.', listType: 'set' }),
  storageCapacity: s.bool('storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable.'),
  fsGroupPolicy: s.string({ description: "fsGroupPolicy defines if the underlying volume supports changing ownership and permission of the volume before being mounted. Refer to the specific FSGroupPolicy values for additional details.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable.\n\nDefaults to ReadWriteOnceWithFSType, which will examine each volume to determine if Kubernetes should modify ownership and permissions of the volume. With the default policy the defined fsGroup will only be applied if a fstype is defined and the volume's access mode contains ReadWriteOnce." }),
  tokenRequests: s.array(tokenRequestSchema, { description: 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls.', listType: 'atomic' }),
  requiresRepublish: s.bool('requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.'),
  seLinuxMount: s.bool('seLinuxMount specifies if the CSI driver supports "-o context" mount option.'),
}, { name: 'io.k8s.api.storage.v1.CSIDriverSpec', description: 'CSIDriverSpec is the specification of a CSIDriver.' });

export const csiDriverSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: 'Standard object metadata. metadata.Name indicates the name of the CSI driver that this object refers to; it MUST be the same name returned by the CSI GetPluginName() call for that driver. The driver name must be 63 characters or less, beginning and ending with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), dots (.), and alphanumerics between. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' },
  spec: { ...csiDriverSpecSchema, description: 'spec represents the specification of the CSI Driver.' },
}, { name: 'io.k8s.api.storage.v1.CSIDriver', gvk: gvk('storage.k8s.io', 'v1', 'CSIDriver'), required: ['spec'], description: 'CSIDriver captures information about a Container Storage Interface (CSI) volume driver deployed on the cluster. Kubernetes attach detach controller uses this object to determine whether attach is required. Kubelet uses this object to determine whether pod information needs to be passed on mount. CSIDriver objects are non-namespaced.' });

export type CSIDriver = Infer<typeof csiDriverSchema> & { metadata: ObjectMeta };

/** ValidateCSIDriverName: at most 63 characters and a DNS subdomain once lowercased. */
export const csiDriverNameValidator: NameValidator = (name) => [
  ...(name.length > 63 ? ['must be no more than 63 characters'] : []),
  ...isDNS1123Subdomain(name.toLowerCase()),
];

function defaultCSIDriver(d: CSIDriver): void {
  if (!d.spec || typeof d.spec !== 'object') return;
  const spec = d.spec;
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
  spec.requiresRepublish ??= false;
  spec.seLinuxMount ??= false;
}

const MIN_TOKEN_AGE = 600;
const MAX_TOKEN_AGE = 2 ** 32;

function validateCSIDriver(d: CSIDriver): FieldError[] {
  const errs: FieldError[] = [];
  // FSGroupPolicy and VolumeLifecycleMode are not +enum upstream (no OpenAPI enum): checked here.
  const policy = d.spec.fsGroupPolicy;
  if (policy !== undefined && !(FS_GROUP_POLICIES as readonly string[]).includes(policy)) errs.push(fe.notSupported('spec.fsGroupPolicy', policy, FS_GROUP_POLICIES));
  (d.spec.volumeLifecycleModes ?? []).forEach((m, i) => {
    if (!(LIFECYCLE_MODES as readonly string[]).includes(m)) errs.push(fe.notSupported(index('spec.volumeLifecycleModes', i), m, LIFECYCLE_MODES));
  });
  const seen = new Set<string>();
  (d.spec.tokenRequests ?? []).forEach((t, i) => {
    const p = index('spec.tokenRequests', i);
    if (seen.has(t.audience)) errs.push(fe.duplicate(`${p}.audience`, t.audience));
    seen.add(t.audience);
    const exp = t.expirationSeconds;
    if (exp !== undefined && exp < MIN_TOKEN_AGE) errs.push(fe.invalid(`${p}.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
    if (exp !== undefined && exp > MAX_TOKEN_AGE) errs.push(fe.invalid(`${p}.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
  });
  return errs;
}

function validateCSIDriverUpdate(d: CSIDriver, old: CSIDriver): FieldError[] {
  const errs: FieldError[] = [];
  if (d.spec.attachRequired !== old.spec.attachRequired) errs.push(fe.invalid('spec.attachRequired', d.spec.attachRequired ?? null, 'field is immutable'));
  if (!deepEqual(d.spec.volumeLifecycleModes ?? [], old.spec.volumeLifecycleModes ?? [])) errs.push(fe.invalid('spec.volumeLifecycleModes', d.spec.volumeLifecycleModes ?? null, 'field is immutable'));
  return errs;
}

export const csiDrivers = defineKind<CSIDriver>({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', plural: 'csidrivers', namespaced: false,
  schema: csiDriverSchema, nameValidator: csiDriverNameValidator,
  defaults: defaultCSIDriver,
  validate: validateCSIDriver,
  validateUpdate: validateCSIDriverUpdate,
  columns: [
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.'),
    col('TokenRequests', 'string', "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
  ],
  cells: (d) => {
    const audiences = (d.spec?.tokenRequests ?? []).map((t) => t.audience);
    const modes = (d.spec?.volumeLifecycleModes ?? []).join(',');
    return [d.spec?.attachRequired ?? true, d.spec?.podInfoOnMount ?? false, d.spec?.storageCapacity ?? false,
      audiences.length ? audiences.join(',') : '<unset>', d.spec?.requiresRepublish ?? false, modes || NONE];
  },
});
