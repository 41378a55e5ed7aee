/**
 * A CRD's status as apiextensions-apiserver's NamingConditionController and EstablishingController
 * leave it: acceptedNames (the spec's names unless another CRD of the group already serves the plural,
 * singular, a short name or the kind), NamesAccepted, and Established once the names are accepted.
 * storedVersions is kept as the storage strategy maintains it. Conditions keep their
 * lastTransitionTime while their status does not change.
 */
import type { CustomResourceDefinition } from '../../api/kinds/apiextensions/custom-resource-definition.js';

type Status = NonNullable<CustomResourceDefinition['status']>;
type Condition = NonNullable<Status['conditions']>[number];

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function setCondition(conds: Condition[], c: Condition): void {
  const i = conds.findIndex((x) => x.type === c.type);
  const prev = conds[i];
  const next = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now() };
  if (i >= 0) conds[i] = next;
  else conds.push(next);
}

/** Why the names clash with another CRD of the same group, if they do. */
function nameConflict(crd: CustomResourceDefinition, others: Others): { reason: string; message: string } | undefined {
  const n = crd.spec.names;
  for (const { crd: o, accepted: on } of others) {
    if (o.spec.group !== crd.spec.group || !on) continue;
    if (on.plural === n.plural) return { reason: 'PluralConflict', message: `"${n.plural}" is already in use` };
    if (n.singular && (on.singular === n.singular || on.plural === n.singular)) return { reason: 'SingularConflict', message: `"${n.singular}" is already in use` };
    for (const sn of n.shortNames ?? []) if ((on.shortNames ?? []).includes(sn)) return { reason: 'ShortNamesConflict', message: `"${sn}" is already in use` };
    if (on.kind === n.kind) return { reason: 'KindConflict', message: `"${n.kind}" is already in use` };
    if (n.listKind && on.listKind === n.listKind) return { reason: 'ListKindConflict', message: `"${n.listKind}" is already in use` };
  }
  return undefined;
}

/** The other CRDs with the names they were accepted under (none: they serve nothing, so they clash with nothing). */
export type Others = { crd: CustomResourceDefinition; accepted: Status['acceptedNames'] | undefined }[];

export function crdStatus(crd: CustomResourceDefinition, others: Others): { status: Status; namesAccepted: boolean } {
  const old = crd.status ?? {};
  const conds: Condition[] = (old.conditions ?? []).map((c) => ({ ...c }));
  const conflict = nameConflict(crd, others);
  const status: Status = { ...old, conditions: conds };
  if (conflict) {
    setCondition(conds, { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message });
    if (!conds.some((c) => c.type === 'Established' && c.status === 'True')) setCondition(conds, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    // Upstream writes empty names here; the schema requires plural and kind, so none are written instead.
    if (!old.acceptedNames) delete status.acceptedNames;
    return { status, namesAccepted: !!old.acceptedNames?.plural };
  }
  const n = crd.spec.names;
  status.acceptedNames = { ...n, singular: n.singular ?? n.kind.toLowerCase(), listKind: n.listKind ?? `${n.kind}List` };
  setCondition(conds, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  setCondition(conds, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
  return { status, namesAccepted: true };
}
