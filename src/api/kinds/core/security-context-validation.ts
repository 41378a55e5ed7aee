/**
 * Seccomp and AppArmor profile fields of pod and container security contexts, as upstream's
 * validateSeccompProfileField / validateAppArmorProfileField (pkg/apis/core/validation): a
 * Localhost profile needs a relative `localhostProfile` without `..` (it names a file under the
 * node agent's profile directory), and no other type may carry one.
 */
import { child, fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';

type Profile = { type?: string; localhostProfile?: string } | undefined;

function validateProfile(p: Profile, path: string, what: 'seccomp' | 'AppArmor'): FieldError[] {
  if (!p) return [];
  const lp = child(path, 'localhostProfile');
  if (p.type !== 'Localhost') {
    return p.localhostProfile !== undefined ? [fe.invalid(lp, p, `can only be set when ${what} type is Localhost`)] : [];
  }
  if (p.localhostProfile === undefined) return [fe.required(lp, `must be set when ${what} type is Localhost`)];
  if (what === 'AppArmor') return p.localhostProfile.trim() ? [] : [fe.required(lp, 'must be set when AppArmor type is Localhost')];
  const errs: FieldError[] = [];
  if (p.localhostProfile.startsWith('/')) errs.push(fe.invalid(lp, p.localhostProfile, 'must be a relative path'));
  if (p.localhostProfile.split('/').includes('..')) errs.push(fe.invalid(lp, p.localhostProfile, "must not contain '..'"));
  return errs;
}

function validateSecurityContext(sc: { seccompProfile?: Profile; appArmorProfile?: Profile } | undefined, path: string): FieldError[] {
  return [
    ...validateProfile(sc?.seccompProfile, child(path, 'seccompProfile'), 'seccomp'),
    ...validateProfile(sc?.appArmorProfile, child(path, 'appArmorProfile'), 'AppArmor'),
  ];
}

// Sysctl names as upstream's IsValidSysctlName (pkg/apis/core/validation): dot- or slash-separated
// segments, at most 253 characters; the message names Go's regexp as upstream prints it.
const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_NAME = new RegExp(`^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`);
const SYSCTL_MAX_LENGTH = 253;

/** spec.securityContext.sysctls as upstream's validateSysctls: a name required, valid, not repeated. */
function validateSysctls(sysctls: { name?: string }[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (sysctls ?? []).forEach((s, i) => {
    const p = child(index(path, i), 'name');
    const name = s?.name ?? '';
    if (!name) errs.push(fe.required(p));
    else if (name.length > SYSCTL_MAX_LENGTH || !SYSCTL_NAME.test(name)) errs.push(fe.invalid(p, name, `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_NAME.source}`));
    else if (seen.has(name)) errs.push(fe.duplicate(p, name));
    seen.add(name);
  });
  return errs;
}

/** The pod's and every (init) container's profiles, and the pod's sysctls; `path` is where the spec sits. */
export function validateSecurityProfiles(spec: any, path: string): FieldError[] {
  const errs = validateSecurityContext(spec.securityContext, child(path, 'securityContext'));
  errs.push(...validateSysctls(spec.securityContext?.sysctls, child(child(path, 'securityContext'), 'sysctls')));
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((c: any, i: number) => errs.push(...validateSecurityContext(c?.securityContext, child(index(child(path, list), i), 'securityContext'))));
  }
  return errs;
}
