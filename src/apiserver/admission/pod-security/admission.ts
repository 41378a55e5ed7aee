/**
 * PodSecurity admission decisions, as upstream's pod-security-admission/admission/admission.go,
 * free of storage: what a pod or pod template write gets (refusal, warnings) under a namespace's
 * policy, whether a pod update needs evaluating, and the warnings for a namespace whose enforce
 * level is tightened over pods that already run there.
 *
 * A decision's audit annotations are upstream's response.AuditAnnotations (keys without the
 * `pod-security.kubernetes.io/` prefix the plugin adds): `enforce-policy` (the enforce level a pod
 * was judged by), `audit-violations` (the audit level's violations) and `error` (unparsable labels).
 */
import type { Container, PodSpec } from '../../../api/kinds/index.js';
import type { PodMetaLike } from './check-types.js';
import { evaluatePod, forbiddenDetail, forbiddenReasons } from './evaluate.js';
import { compareLevels, levelVersionString, sameLevelVersion, type LevelVersion, type Policy } from './policy.js';

export interface Decision {
  /** Set when enforce refuses: `violates PodSecurity "baseline:latest": ...`. */
  forbidden?: string;
  /** `would violate PodSecurity ...` (warn mode; never alongside a refusal, as upstream). */
  warnings: string[];
  /** Audit annotations (upstream's EvaluatePod): enforce-policy, audit-violations, error. */
  auditAnnotations: Record<string, string>;
}

/**
 * Pods are enforced; pod templates of workloads (`enforce` false) only get warnings. `policyError` is
 * the namespace labels' parse error (upstream's "Failed to parse policy: ..." annotation).
 */
export function decide(policy: Policy, meta: PodMetaLike, spec: PodSpec, enforce: boolean, policyError?: string): Decision {
  const cache = new Map<string, string | null>();
  const detail = (lv: LevelVersion) => {
    const key = levelVersionString(lv);
    if (!cache.has(key)) {
      const failed = evaluatePod(lv, meta, spec);
      cache.set(key, failed.length ? forbiddenDetail(failed) : null);
    }
    return cache.get(key)!;
  };
  const out: Decision = { warnings: [], auditAnnotations: {} };
  if (policyError !== undefined) out.auditAnnotations.error = `Failed to parse policy: ${policyError}`;
  if (enforce) {
    out.auditAnnotations['enforce-policy'] = levelVersionString(policy.enforce);
    const d = detail(policy.enforce);
    if (d !== null) out.forbidden = `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${d}`;
  }
  const a = detail(policy.audit);
  if (a !== null) out.auditAnnotations['audit-violations'] = `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${a}`;
  if (!out.forbidden) {
    const w = detail(policy.warn);
    if (w !== null) out.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${w}`);
  }
  return out;
}

/** Whether any policy mode is above privileged (else nothing needs evaluating). */
export function policyApplies(policy: Policy, enforce: boolean): boolean {
  return (enforce && policy.enforce.level !== 'privileged') || policy.audit.level !== 'privileged' || policy.warn.level !== 'privileged';
}

type PodLike = { metadata?: PodMetaLike; spec?: PodSpec };

const containerChanged = (a: Container | undefined, b: Container | undefined) => a?.image !== b?.image;

/**
 * Upstream isSignificantPodUpdate: only image changes, container count changes and added ephemeral
 * containers are re-evaluated (the rest of a pod's spec is immutable once created).
 */
export function isSignificantPodUpdate(pod: PodLike, old: PodLike): boolean {
  const key = 'seccomp.security.alpha.kubernetes.io/pod';
  if (pod.metadata?.annotations?.[key] !== old.metadata?.annotations?.[key]) return true;
  const s = pod.spec ?? ({} as PodSpec);
  const o = old.spec ?? ({} as PodSpec);
  for (const f of ['containers', 'initContainers'] as const) {
    const a = s[f] ?? [];
    const b = o[f] ?? [];
    if (a.length !== b.length || a.some((c, i) => containerChanged(c, b[i]))) return true;
  }
  for (const c of s.ephemeralContainers ?? []) {
    const before = (o.ephemeralContainers ?? []).find((x) => x.name === c.name);
    if (!before || containerChanged(c as Container, before as Container)) return true;
  }
  return false;
}

/**
 * Whether a namespace update must dry-run its pods against the new enforce level (upstream: not
 * when unchanged, privileged, or relaxed at the same version).
 */
export function enforceTightened(next: LevelVersion, prev: LevelVersion): boolean {
  if (sameLevelVersion(next, prev) || next.level === 'privileged') return false;
  return !(next.version === prev.version && compareLevels(next.level, prev.level) < 1);
}

/** Upstream's cap on pods dry-run when a namespace's enforce level changes. */
export const NAMESPACE_MAX_PODS_TO_CHECK = 3000;

/** Warnings for existing pods that violate a new enforce level (upstream EvaluatePodsInNamespace). */
export function existingPodWarnings(namespace: string, enforce: LevelVersion, pods: readonly { name: string; meta: PodMetaLike; spec: PodSpec }[]): string[] {
  const counts = new Map<string, { first: string; count: number }>();
  const checked = pods.slice(0, NAMESPACE_MAX_PODS_TO_CHECK);
  for (const p of checked) {
    const failed = evaluatePod(enforce, p.meta, p.spec);
    if (!failed.length) continue;
    const reason = forbiddenReasons(failed);
    const c = counts.get(reason);
    if (!c) counts.set(reason, { first: p.name, count: 1 });
    else {
      c.count++;
      if (p.name < c.first) c.first = p.name;
    }
  }
  const warnings: string[] = [];
  if (checked.length < pods.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`);
  if (counts.size) warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
  const perPod = [...counts].map(([reason, c]) => {
    const who = c.count === 1 ? c.first : c.count === 2 ? `${c.first} (and 1 other pod)` : `${c.first} (and ${c.count - 1} other pods)`;
    return `${who}: ${reason}`;
  });
  return [...warnings, ...perPod.sort()];
}
