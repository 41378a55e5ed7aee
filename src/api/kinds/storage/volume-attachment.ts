/**
 * storage.k8s.io/v1 VolumeAttachment as upstream: the intent to attach a volume to a node, with a
 * status subresource the attacher writes. ValidateVolumeAttachment (attacher a CSI driver name,
 * nodeName a DNS subdomain, exactly one source) and ValidateVolumeAttachmentUpdate (spec
 * immutable), printed as printVolumeAttachment: NAME, ATTACHER, PV, NODE, ATTACHED, AGE.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { persistentVolumeSpecSchema } from '../core/persistent-volume.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { csiDriverNameValidator } from './csi-driver.js';

const volumeErrorSchema = (what: string) => ({
  ...s.object({
    time: s.time('time represents the time the error was encountered.'),
    message: s.string('message represents the error encountered during Attach or Detach operation. This string may be logged, so it should not contain sensitive information.'),
  }, { name: 'io.k8s.api.storage.v1.VolumeError', description: 'VolumeError captures an error encountered during a volume operation.' }),
  description: what,
});

export const volumeAttachmentSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    attacher: s.string('attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().'),
    source: s.object({
      persistentVolumeName: s.string('persistentVolumeName represents the name of the persistent volume to attach.'),
      inlineVolumeSpec: { ...persistentVolumeSpecSchema, description: "inlineVolumeSpec contains all the information necessary to attach a persistent volume defined by a pod's inline VolumeSource. This field is populated only for the CSIMigration feature. It contains translated fields from a pod's inline VolumeSource to a PersistentVolumeSpec. This field is beta-level and is only honored by servers that enabled the CSIMigration feature." },
    }, { name: 'io.k8s.api.storage.v1.VolumeAttachmentSource', description: 'source represents the volume that should be attached.', typeDescription: 'VolumeAttachmentSource represents a volume that should be attached. Right now only PersistentVolumes can be attached via external attacher, in the future we may allow also inline volumes in pods. Exactly one member can be set.' }),
    nodeName: s.string('nodeName represents the node that the volume should be attached to.'),
  }, { name: 'io.k8s.api.storage.v1.VolumeAttachmentSpec', required: ['attacher', 'source', 'nodeName'], description: 'spec represents specification of the desired attach/detach volume behavior. Populated by the Kubernetes system.', typeDescription: 'VolumeAttachmentSpec is the specification of a VolumeAttachment request.' }),
  status: s.object({
    attached: s.bool('attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
    attachmentMetadata: s.stringMap('attachmentMetadata is populated with any information returned by the attach operation, upon successful attach, that must be passed into subsequent WaitForAttach or Mount calls. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
    attachError: volumeErrorSchema('attachError represents the last error encountered during attach operation, if any. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
    detachError: volumeErrorSchema('detachError represents the last error encountered during detach operation, if any. This field must only be set by the entity completing the detach operation, i.e. the external-attacher.'),
  }, { name: 'io.k8s.api.storage.v1.VolumeAttachmentStatus', required: ['attached'], description: 'status represents status of the VolumeAttachment request. Populated by the entity completing the attach or detach operation, i.e. the external-attacher.', typeDescription: 'VolumeAttachmentStatus is the status of a VolumeAttachment request.' }),
}, { name: 'io.k8s.api.storage.v1.VolumeAttachment', gvk: gvk('storage.k8s.io', 'v1', 'VolumeAttachment'), required: ['spec'], description: 'VolumeAttachment captures the intent to attach or detach the specified volume to/from the specified node.\n\nVolumeAttachment objects are non-namespaced.' });

export type VolumeAttachment = Infer<typeof volumeAttachmentSchema> & { metadata: ObjectMeta };

function validateVolumeAttachment(va: VolumeAttachment): FieldError[] {
  const errs: FieldError[] = [];
  const spec = va.spec;
  for (const m of csiDriverNameValidator(spec.attacher, false)) errs.push(fe.invalid('spec.attacher', spec.attacher, m));
  for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(fe.invalid('spec.nodeName', spec.nodeName, m));
  const { persistentVolumeName, inlineVolumeSpec } = spec.source;
  if (persistentVolumeName === undefined && inlineVolumeSpec === undefined) errs.push(fe.required('spec.source', 'must specify exactly one of persistentVolumeName and inlineVolumeSpec'));
  else if (persistentVolumeName !== undefined && inlineVolumeSpec !== undefined) errs.push(fe.forbidden('spec.source', 'must specify exactly one of persistentVolumeName and inlineVolumeSpec'));
  else if (persistentVolumeName === '') errs.push(fe.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  return errs;
}

/**
 * status and status.attached are a struct and a bool without omitempty upstream: a VolumeAttachment
 * always reads `status: {attached: false}` until the attacher says otherwise (the status a create
 * carries is dropped, as PrepareForCreate's).
 */
function defaultVolumeAttachment(va: VolumeAttachment): void {
  va.status ??= { attached: false };
  va.status.attached ??= false;
}

export const volumeAttachments = defineKind<VolumeAttachment>({
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', namespaced: false,
  schema: volumeAttachmentSchema, nameValidator: nameIsDNSSubdomain,
  subresources: ['status'], hasStatusSubresource: true,
  defaults: defaultVolumeAttachment,
  validate: validateVolumeAttachment,
  validateUpdate: (va, old) => (deepEqual(va.spec, old.spec) ? [] : [fe.invalid('spec', va.spec, 'field is immutable')]),
  columns: [
    col('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.'),
    col('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
  ],
  cells: (va) => [va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false],
});
