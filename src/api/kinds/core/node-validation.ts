/**
 * ValidateNode and ValidateNodeUpdate (pkg/apis/core/validation, 1.32) and the v1 -> internal
 * conversion of spec.podCIDR/podCIDRs (pkg/apis/core/v1/conversion.go): pod CIDRs must be CIDRs, at
 * most one per family, and may only go from unset to set (the node IPAM controller sets them once);
 * taints are valid and unique by key and effect; status addresses are unique.
 */
import { parseCIDR } from '../../net/cidr.js';
import { isDualStackOrSingle } from '../../net/validation.js';
import { fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isQualifiedName, isValidLabelValue } from '../meta/names.js';
import type { Node } from './node.js';

const PODCIDRS = 'spec.podCIDRs';

/**
 * Convert_v1_NodeSpec_To_core_NodeSpec then back: when podCIDR and podCIDRs[0] differ, podCIDR is
 * authoritative ("for compatibility with older clients"); podCIDR alone becomes podCIDRs; podCIDR is
 * always podCIDRs[0]. So a patch of podCIDR alone is a change of podCIDRs, and is validated as one.
 */
export function normalizePodCIDRs(node: Node): void {
  const spec = node.spec;
  if (!spec) return;
  if (spec.podCIDR && (!spec.podCIDRs?.length || spec.podCIDRs[0] !== spec.podCIDR)) spec.podCIDRs = [spec.podCIDR];
  if (spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
}

function validateTaints(taints: NonNullable<Node['spec']>['taints'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = index(path, i);
    for (const m of isQualifiedName(t.key)) errs.push(fe.invalid(`${p}.key`, t.key, m));
    if (t.value) {
      const msgs = isValidLabelValue(t.value);
      if (msgs.length) errs.push(fe.invalid(`${p}.value`, t.value, msgs.join(';')));
    }
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) errs.push({ type: 'FieldValueDuplicate', field: p, detail: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    seen.add(key);
  });
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  // Upstream names the taints' path under metadata (fldPath.Child("taints") of the metadata path).
  const errs = validateTaints(node.spec?.taints, 'metadata.taints');
  const cidrs = node.spec?.podCIDRs ?? [];
  const parsed = cidrs.map((c) => parseCIDR(c));
  parsed.forEach((c, i) => {
    if (!c) errs.push(fe.invalid(index(PODCIDRS, i), cidrs, 'must be valid CIDR'));
  });
  if (cidrs.length > 1) {
    if (!isDualStackOrSingle(parsed.map((c) => c?.family))) errs.push(fe.invalid(PODCIDRS, cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fe.duplicate(index(PODCIDRS, i), c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const key = `${a.type}\u0000${a.address}`;
    if (seen.has(key)) errs.push(fe.duplicate(index('status.addresses', i), a));
    seen.add(key);
  });
  const was = old.spec?.podCIDRs ?? [];
  const now = node.spec?.podCIDRs ?? [];
  if (was.length > 0 && (was.length !== now.length || was.some((c, i) => c !== now[i]))) {
    errs.push(fe.forbidden(PODCIDRS, 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(fe.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  if (node.spec?.externalID !== old.spec?.externalID) errs.push(fe.forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
