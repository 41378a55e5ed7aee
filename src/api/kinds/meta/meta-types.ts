/** Schemas of meta/v1 Status, DeleteOptions and Preconditions (bodies of subresources and errors). */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { listMetaSchema, typeMeta } from './object-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const preconditionsSchema = s.object({
  resourceVersion: s.string('Specifies the target ResourceVersion'),
  uid: s.string('Specifies the target UID.'),
}, { name: `${META}.Preconditions`, description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.' });

export const deleteOptionsSchema = s.object({
  ...typeMeta,
  gracePeriodSeconds: s.int64('The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.'),
  preconditions: { ...preconditionsSchema, description: 'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.' },
  orphanDependents: s.bool('Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.'),
  propagationPolicy: s.string({ description: "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.", enum: ['Background', 'Foreground', 'Orphan'] }),
  dryRun: s.strings('When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  ignoreStoreReadErrorWithClusterBreakingPotential: s.bool('if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
}, { name: `${META}.DeleteOptions`, gvk: [{ group: '', version: 'v1', kind: 'DeleteOptions' }], description: 'DeleteOptions may be provided when deleting an API object.' });

export const statusCauseSchema = s.object({
  reason: s.string('A machine-readable description of the cause of the error. If this value is empty there is no information available.'),
  message: s.string('A human-readable description of the cause of the error.  This field may be presented as-is to a reader.'),
  field: s.string('The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"'),
}, { name: `${META}.StatusCause`, description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.' });

export const statusSchema = s.object({
  ...typeMeta,
  metadata: { ...listMetaSchema, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
  status: s.string('Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
  message: s.string('A human-readable description of the status of this operation.'),
  reason: s.string('A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.'),
  details: s.object({
    name: s.string('The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
    group: s.string('The group attribute of the resource associated with the status StatusReason.'),
    kind: s.string('The kind attribute of the resource associated with the status StatusReason.'),
    uid: s.string('UID of the resource. (when there is a single resource which can be described).'),
    causes: s.array(statusCauseSchema, { description: 'The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.', listType: 'atomic' }),
    retryAfterSeconds: s.int('If specified, the time in seconds before the operation should be retried.'),
  }, { name: `${META}.StatusDetails`, description: 'Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.' }),
  code: s.int('Suggested HTTP return code for this status, 0 if not set.'),
}, { name: `${META}.Status`, gvk: [{ group: '', version: 'v1', kind: 'Status' }], description: 'Status is a return value for calls that don\'t return other objects.' });

export type DeleteOptionsBody = Infer<typeof deleteOptionsSchema>;
export type StatusBody = Infer<typeof statusSchema>;
