/**
 * apps/v1 ControllerRevision: an immutable snapshot of a controller's state (DaemonSet and StatefulSet
 * keep their pod templates in them for rollback). ValidateControllerRevision(Update) and the
 * printer's CONTROLLER / REVISION columns as upstream (pkg/apis/apps/validation, pkg/printers).
 */
import type { KubeObject, ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe, invalidRendered } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const controllerRevisionSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  data: s.any('Data is the serialized representation of the state.'),
  revision: s.int64('Revision indicates the revision of the state represented by Data.'),
}, {
  name: 'io.k8s.api.apps.v1.ControllerRevision', gvk: gvk('apps', 'v1', 'ControllerRevision'), required: ['revision'],
  description: 'ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated. The API Server will fail validation of all requests that attempt to mutate the Data field. ControllerRevisions may, however, be deleted. Note that, due to its use by both the DaemonSet and StatefulSet controllers for update and rollback, this object is beta. However, it may be subject to name and representation changes in future releases, and clients should not depend on its stability. It is primarily for internal use by controllers.',
});

export type ControllerRevision = Infer<typeof controllerRevisionSchema> & { metadata: ObjectMeta };

function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(fe.required('data', 'data is mandatory'));
  if ((cr.revision ?? 0) < 0) errs.push(fe.invalid('revision', cr.revision, 'must be greater than or equal to 0'));
  return errs;
}

/** printControllerRevision: `<kind>.<group>/<name>` of the controller, lower-cased kind, or <none>. */
function controllerCell(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref) return NONE;
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export const controllerRevisions = defineKind<ControllerRevision>({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true,
  schema: controllerRevisionSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (cr) => {
    cr.revision ??= 0;
  },
  validate: validateControllerRevision,
  validateUpdate: (cr, old) => (JSON.stringify(cr.data) === JSON.stringify(old.data) ? [] : [invalidRendered('data', 'runtime.RawExtension{...}', 'field is immutable')]),
  columns: [
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'integer', 'Revision of the ControllerRevision'),
  ],
  cells: (cr) => [controllerCell(cr), cr.revision ?? 0],
});
