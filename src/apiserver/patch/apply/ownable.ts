/** The fields a write can make a manager own (apimachinery's stripMetaManager plus the reset fields). */
import { FieldSet } from './fieldset.js';

/** Fields nobody owns (apimachinery's stripMetaManager), as FieldsV1 paths. */
const STRIPPED: string[][] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => ['f:metadata', `f:${f}`]),
];

/**
 * `set` (a new set its caller built and still owns: it is changed in place) without the fields
 * nobody owns and the subtrees `ignored` names (field names, e.g. `[['status']]`).
 */
export function ownable(set: FieldSet, ignored: string[][] | undefined): FieldSet {
  for (const p of STRIPPED) set.remove(p);
  for (const p of ignored ?? []) set.remove(p.map((f) => `f:${f}`), true);
  return set;
}
