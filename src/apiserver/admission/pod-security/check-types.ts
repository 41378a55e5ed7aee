/**
 * The shape of one Pod Security Standards check, as upstream's pod-security-admission/policy
 * (checks.go): a level, the first policy version it applies to, and a pure function of the pod's
 * metadata and spec. Helpers word details exactly as upstream's helpers.go and visitor.go do.
 */
import type { Container, PodSpec } from '../../../api/kinds/index.js';

export interface PodMetaLike {
  annotations?: Record<string, string>;
}

export interface CheckResult {
  allowed: boolean;
  /** Short reason, e.g. `privileged`; with the detail it makes `privileged (container "c" must ...)`. */
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Baseline checks that a restricted check replaces (upstream Overlap): run at baseline only. */
  overlap?: boolean;
  /** Minor version of Kubernetes (1.x) from which the check applies. */
  minVersion: number;
  check(meta: PodMetaLike, spec: PodSpec): CheckResult;
}

export const ALLOWED: CheckResult = { allowed: true };

export const forbid = (forbiddenReason: string, forbiddenDetail: string): CheckResult => ({ allowed: false, forbiddenReason, forbiddenDetail });

export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"`. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** A sorted, de-duplicated list (upstream's sets.String.List()). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Every container of the spec: init containers, containers, ephemeral containers (upstream visitContainers). */
export function visitContainers(spec: PodSpec, visit: (c: Container) => void): void {
  for (const c of spec.initContainers ?? []) visit(c);
  for (const c of spec.containers ?? []) visit(c);
  for (const c of spec.ephemeralContainers ?? []) visit(c as Container);
}

/** Seccomp and AppArmor profile types the baseline allows (both fields take the same values). */
export const validSeccomp = (t: string | undefined): boolean => t === 'Localhost' || t === 'RuntimeDefault';

export interface ProfileScan {
  /** The pod-level profile is set to a bad type. */
  podBad: boolean;
  /** The pod-level profile is set to a good type. */
  podSet: boolean;
  /** Containers that set a bad type. */
  bad: string[];
  /** Containers that set no profile. */
  unset: string[];
  /** The bad types. */
  values: Set<string>;
}

/** Where `seccompProfile` or `appArmorProfile` is set, at pod and container level, to a type outside RuntimeDefault/Localhost. */
export function scanProfiles(spec: PodSpec, field: 'seccompProfile' | 'appArmorProfile'): ProfileScan {
  const values = new Set<string>();
  const pod = spec.securityContext?.[field];
  const podBad = !!pod && !validSeccomp(pod.type);
  if (podBad) values.add(pod!.type ?? '');
  const bad: string[] = [];
  const unset: string[] = [];
  visitContainers(spec, (c) => {
    const p = c.securityContext?.[field];
    if (!p) unset.push(c.name);
    else if (!validSeccomp(p.type)) { bad.push(c.name); values.add(p.type ?? ''); }
  });
  return { podBad, podSet: !!pod && !podBad, bad, unset, values };
}

/** Who set a bad value, as upstream lists it: `pod`, then `containers "a", "b"`, then extras. */
export function setters(pod: boolean, containers: readonly string[], extra: readonly string[] = []): string[] {
  return [...(pod ? ['pod'] : []), ...(containers.length ? [containersPhrase(containers)] : []), ...extra];
}

/**
 * The containers in which `found` finds bad values (upstream's badContainers, in visiting order)
 * and those values as a sorted set.
 */
export function badContainers(spec: PodSpec, found: (c: Container) => string[]): { names: string[]; values: string[] } {
  const names: string[] = [];
  const values = new Set<string>();
  visitContainers(spec, (c) => {
    const v = found(c);
    if (v.length) names.push(c.name);
    for (const x of v) values.add(x);
  });
  return { names, values: sortedSet(values) };
}
