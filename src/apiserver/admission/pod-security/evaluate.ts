/**
 * The check registry and evaluation of one pod (or pod template) against a level and version, as
 * upstream's policy/registry.go and checks.go: at baseline the baseline checks; at restricted the
 * baseline checks that no restricted check replaces, then the restricted ones. Checks run in
 * upstream's registration order (its file names), so messages list violations in the same order.
 */
import type { PodSpec } from '../../../api/kinds/index.js';
import type { Check, CheckResult, PodMetaLike } from './check-types.js';
import { appArmorProfile, capabilitiesBaseline, procMount, seccompProfileBaseline, seLinuxOptions, sysctls, windowsHostProcess } from './checks-baseline.js';
import { hostNamespaces, hostPathVolumes, hostPorts, hostProbesAndHostLifecycle, privileged } from './checks-host.js';
import { allowPrivilegeEscalation, capabilitiesRestricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted } from './checks-restricted.js';
import type { LevelVersion } from './policy.js';

export const CHECKS: readonly Check[] = [
  allowPrivilegeEscalation, appArmorProfile, capabilitiesBaseline, capabilitiesRestricted, hostNamespaces, hostPathVolumes,
  hostPorts, hostProbesAndHostLifecycle, privileged, procMount, restrictedVolumes, runAsNonRoot, runAsUser, seLinuxOptions,
  seccompProfileBaseline, seccompProfileRestricted, sysctls, windowsHostProcess,
];

/** The failed checks of `spec` at `lv` (empty: allowed). */
export function evaluatePod(lv: LevelVersion, meta: PodMetaLike, spec: PodSpec): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const applies = (c: Check) => lv.version === 'latest' || c.minVersion <= lv.version;
  const baseline = CHECKS.filter((c) => c.level === 'baseline' && !c.overlap && applies(c));
  const rest = lv.level === 'baseline'
    ? CHECKS.filter((c) => c.level === 'baseline' && c.overlap && applies(c))
    : CHECKS.filter((c) => c.level === 'restricted' && applies(c));
  return [...baseline, ...rest].map((c) => c.check(meta, spec)).filter((r) => !r.allowed);
}

/** `reason (detail), reason (detail)` (upstream AggregateCheckResult.ForbiddenDetail). */
export function forbiddenDetail(failed: readonly CheckResult[]): string {
  return failed.map((r) => (r.forbiddenDetail ? `${r.forbiddenReason} (${r.forbiddenDetail})` : r.forbiddenReason)).join(', ');
}

/** `reason, reason` (upstream AggregateCheckResult.ForbiddenReason). */
export function forbiddenReasons(failed: readonly CheckResult[]): string {
  return failed.map((r) => r.forbiddenReason).join(', ');
}
