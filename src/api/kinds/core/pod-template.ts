/**
 * v1 PodTemplate as upstream: a stored pod template (ValidatePodTemplate: object metadata and the
 * template's pod spec) printed as printPodTemplate does (NAME, CONTAINERS, IMAGES, POD LABELS; no AGE).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col, nameColumn, NONE } from '../../table/columns.js';
import { containerCells } from '../apps/common.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { podTemplateSpecSchema } from './pod-spec.js';

export const podTemplateSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  template: { ...podTemplateSpecSchema, description: 'Template defines the pods that will be created from this pod template. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: 'io.k8s.api.core.v1.PodTemplate', gvk: gvk('', 'v1', 'PodTemplate'), description: 'PodTemplate describes a template for creating copies of a predefined pod.' });

export type PodTemplate = Infer<typeof podTemplateSchema> & { metadata: ObjectMeta };

/** labels.FormatLabels: sorted k=v pairs, or <none>. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? NONE : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

export const podTemplates = defineKind<PodTemplate>({
  group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', namespaced: true,
  schema: podTemplateSchema, nameValidator: nameIsDNSSubdomain,
  table: {
    columns: [
      nameColumn,
      col('Containers', 'string', 'Names of each container in the template.'),
      col('Images', 'string', 'Images referenced by each container in the template.'),
      col('Pod Labels', 'string', 'The labels for the pod template.'),
    ],
    row: (pt) => [pt.metadata?.name ?? '', ...containerCells(pt.template?.spec?.containers), formatLabels(pt.template?.metadata?.labels)],
  },
});
