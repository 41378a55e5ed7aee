/**
 * The Table of an autoscaling/v1 Scale (`kubectl get deploy web --subresource=scale`): upstream's
 * ScaleREST.ConvertToTable hands the Scale to the store's table generator, whose printScale handler
 * (pkg/printers/internalversion/printers.go) prints NAME, DESIRED, AVAILABLE and AGE.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition, TableColumn } from '../../api/resource.js';
import { age } from '../../api/table/age.js';
import { ageColumn, col, nameColumn } from '../../api/table/columns.js';

const columns: TableColumn[] = [
  nameColumn,
  col('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
  col('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
  ageColumn,
];

interface ScaleLike extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

/** `def` with the Scale's columns and cells in place of the parent kind's. */
export function scaleTableDefinition(def: ResourceDefinition): ResourceDefinition {
  return {
    ...def,
    tableColumns: columns,
    tableRow: (s: ScaleLike, now: Date) => [s.metadata.name ?? '', s.spec?.replicas ?? 0, s.status?.replicas ?? 0, age(s.metadata.creationTimestamp, now)],
  } as ResourceDefinition;
}
