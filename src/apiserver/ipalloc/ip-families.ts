/**
 * A Service's ipFamilyPolicy and ipFamilies, defaulted and checked against the families the cluster
 * serves, as upstream's Allocators.initIPFamilyFields (pkg/registry/core/service/storage/alloc.go,
 * v1.32) runs before any ClusterIP is allocated, dry runs included. Bosun's service range is one
 * IPv4 CIDR, so the cluster is single-stack IPv4 and only upstream's single-stack paths can be taken:
 *   - no policy: the old object's on update; headless and selectorless: RequireDualStack; else SingleStack;
 *   - SingleStack with two cluster IPs or two families is invalid;
 *   - families are inferred from given cluster IPs (an IPv6 one: `IPv6 is not configured on this cluster`);
 *   - headless and selectorless Services may list both families and get the other family appended
 *     unless SingleStack (no IPs are allocated for them);
 *   - otherwise RequireDualStack is refused (`this cluster is not configured for dual-stack
 *     services`), and so is any family but IPv4 (`not configured on this cluster`); none given is IPv4.
 */
import { fe, invalidRendered } from '../../api/schema/errors.js';
import type { FieldError } from '../../api/status.js';

type Family = string;
interface FamilySpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  selector?: Record<string, string>;
  ipFamilies?: Family[];
  ipFamilyPolicy?: string;
}

const CLUSTER_FAMILY: Family = 'IPv4';

const familyOf = (ip: string): Family => (ip.includes(':') ? 'IPv6' : 'IPv4');

/** Defaults `spec` (a Service being created, or updated from `old`) in place; returns upstream's errors. */
export function initIpFamilyFields(spec: FamilySpec, old: FamilySpec | undefined): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) {
    if (old?.ipFamilyPolicy) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else spec.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  }
  const errs: FieldError[] = [];
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (spec.clusterIPs?.length === 2) errs.push(fe.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (spec.ipFamilies?.length === 2) errs.push(fe.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
    if (ip === 'None') break;
    const families = (spec.ipFamilies ??= []);
    if (i < families.length) continue;
    const fam = familyOf(ip);
    if (fam !== CLUSTER_FAMILY) errs.push(invalidRendered(`spec.clusterIPs[${i}]`, `[]string{${(spec.clusterIPs ?? []).map((x) => JSON.stringify(x)).join(', ')}}`, `${fam} is not configured on this cluster`));
    else families.push(fam);
  }
  if (errs.length > 0) return errs;

  if (headlessSelectorless) {
    const families = spec.ipFamilies?.length ? spec.ipFamilies : (spec.ipFamilies = [CLUSTER_FAMILY]);
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    return [];
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push(fe.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  (spec.ipFamilies ?? []).forEach((fam, i) => {
    if (fam !== CLUSTER_FAMILY) errs.push(fe.invalid(`spec.ipFamilies[${i}]`, fam, 'not configured on this cluster'));
  });
  if (errs.length > 0) return errs;
  if (!spec.ipFamilies?.length) spec.ipFamilies = [CLUSTER_FAMILY];
  return [];
}
