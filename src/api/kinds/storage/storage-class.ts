/**
 * storage.k8s.io/v1 StorageClass as upstream: schema, SetDefaults_StorageClass (reclaimPolicy
 * Delete, volumeBindingMode Immediate), ValidateStorageClass(Update) (provisioner a qualified name,
 * parameters, provisioner, reclaimPolicy and volumeBindingMode immutable) and printStorageClass,
 * whose NAME carries " (default)" for the default class.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { age } from '../../table/age.js';
import { ageColumn, col, nameColumn } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

/** The annotation that marks the class a claim without storageClassName gets (DefaultStorageClass admission). */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  provisioner: s.string('provisioner indicates the type of the provisioner.'),
  parameters: s.stringMap('parameters holds the parameters for the provisioner that should create volumes of this storage class.'),
  reclaimPolicy: s.string({ description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.', enum: ['Delete', 'Recycle', 'Retain'] }),
  mountOptions: s.strings({ description: 'mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. e.g. ["ro", "soft"]. Not validated - mount of the PVs will simply fail if one is invalid.', listType: 'atomic' }),
  allowVolumeExpansion: s.bool('allowVolumeExpansion shows whether the storage class allow volume expand.'),
  volumeBindingMode: s.string({ description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.', enum: ['Immediate', 'WaitForFirstConsumer'] }),
  allowedTopologies: s.array(s.object({
    matchLabelExpressions: s.array(s.object({
      key: s.string('The label key that the selector applies to.'),
      values: s.strings({ description: 'An array of string values. One value must match the label to be selected. Each entry in Values is ORed.', listType: 'atomic' }),
    }, { name: 'io.k8s.api.core.v1.TopologySelectorLabelRequirement', required: ['key', 'values'], description: 'A topology selector requirement is a selector that matches given label. This is an alpha feature and may change in the future.' }), { description: 'A list of topology selector requirements by labels.', listType: 'atomic' }),
  }, { name: 'io.k8s.api.core.v1.TopologySelectorTerm', mapType: 'atomic', description: 'A topology selector term represents the result of label queries. A null or empty topology selector term matches no objects. The requirements of them are ANDed. It provides a subset of functionality as NodeSelectorTerm. This is an alpha feature and may change in the future.' }), {
    description: 'allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. Each volume plugin defines its own supported topology specifications. An empty TopologySelectorTerm list means there is no topology restriction. This field is only honored by servers that enable the VolumeScheduling feature.', listType: 'atomic',
  }),
}, { name: 'io.k8s.api.storage.v1.StorageClass', gvk: gvk('storage.k8s.io', 'v1', 'StorageClass'), required: ['provisioner'], description: 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.\n\nStorageClasses are non-namespaced; the name of the storage class according to etcd is in ObjectMeta.Name.' });

export type StorageClass = Infer<typeof storageClassSchema> & { metadata: ObjectMeta };

/** storageutil.IsDefaultAnnotation: the GA or beta annotation equal to "true". */
export function isDefaultStorageClass(sc: Pick<StorageClass, 'metadata'>): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

const RECLAIM = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc.provisioner) errs.push(fe.required('provisioner'));
  else for (const m of isQualifiedName(sc.provisioner.toLowerCase())) errs.push(fe.invalid('provisioner', sc.provisioner, m));
  const params = Object.entries(sc.parameters ?? {});
  if (params.length > MAX_PARAMETERS) errs.push(fe.tooLong('parameters', MAX_PARAMETERS));
  let size = 0;
  for (const [k, v] of params) {
    if (!k) errs.push(fe.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + v.length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(fe.tooLong('parameters', MAX_PARAMETERS_SIZE));
  if (sc.reclaimPolicy && !RECLAIM.includes(sc.reclaimPolicy)) errs.push(fe.notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM));
  if (!sc.volumeBindingMode) errs.push(fe.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(fe.notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(fe.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(fe.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(fe.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(fe.invalid('volumeBindingMode', sc.volumeBindingMode ?? null, 'field is immutable'));
  return errs;
}

const COLUMNS = [
  nameColumn,
  col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
  col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
  col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
  col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
  ageColumn,
];

export const storageClasses = defineKind<StorageClass>({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'],
  schema: storageClassSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (sc) => {
    sc.reclaimPolicy ||= 'Delete';
    sc.volumeBindingMode ||= 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  table: {
    columns: COLUMNS,
    row: (sc, now) => [
      isDefaultStorageClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name,
      sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false,
      age(sc.metadata.creationTimestamp, now),
    ],
  },
});
