/**
 * v1 ComponentStatus as upstream (deprecated in v1.19+): computed on request from the control
 * plane's health checks, never stored; get and list only (pkg/registry/core/componentstatus). Printed
 * as printComponentStatus: NAME, STATUS (Healthy / Unhealthy / Unknown from the Healthy condition),
 * MESSAGE and ERROR of that condition.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, nameColumn } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const componentCondition = s.object({
  type: s.string('Type of condition for a component. Valid value: "Healthy"'),
  status: s.string('Status of the condition for a component. Valid values for "Healthy": "True", "False", or "Unknown".'),
  message: s.string('Message about the condition for a component. For example, information about a health check.'),
  error: s.string('Condition error code for a component. For example, a health check error code.'),
}, { name: 'io.k8s.api.core.v1.ComponentCondition', required: ['type', 'status'], description: 'Information about the condition of a component.' });

export const componentStatusSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  conditions: s.array(componentCondition, { description: 'List of component conditions observed', listType: 'map', listMapKeys: ['type'], patchStrategy: 'merge', patchMergeKey: 'type' }),
}, { name: 'io.k8s.api.core.v1.ComponentStatus', gvk: gvk('', 'v1', 'ComponentStatus'), description: 'ComponentStatus (and ComponentStatusList) holds the cluster validation info. Deprecated: This API is deprecated in v1.19+' });

export type ComponentStatus = Infer<typeof componentStatusSchema> & { metadata: ObjectMeta };

/** printComponentStatus: the Healthy condition's status, message and error. */
function cells(cs: ComponentStatus): string[] {
  const healthy = cs.conditions?.find((c) => c.type === 'Healthy');
  const status = healthy?.status === 'True' ? 'Healthy' : healthy?.status === 'False' ? 'Unhealthy' : 'Unknown';
  return [cs.metadata?.name ?? '', status, healthy?.message ?? '', healthy?.error ?? ''];
}

export const componentStatuses = defineKind<ComponentStatus>({
  group: '', version: 'v1', kind: 'ComponentStatus', plural: 'componentstatuses', namespaced: false, shortNames: ['cs'],
  verbs: ['get', 'list'], schema: componentStatusSchema, nameValidator: nameIsDNSSubdomain,
  table: {
    columns: [
      nameColumn,
      col('Status', 'string', 'Status of the component conditions'),
      col('Message', 'string', 'Message of the component conditions'),
      col('Error', 'string', 'Error of the component conditions'),
    ],
    row: cells,
  },
});
