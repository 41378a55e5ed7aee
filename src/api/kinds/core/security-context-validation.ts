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

/** The pod's and every (init) container's profiles; `path` is where the spec sits. */
export function validateSecurityProfiles(spec: any, path: string): FieldError[] {
  const errs = validateSecurityContext(spec.securityContext, child(path, 'securityContext'));
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((c: any, i: number) => errs.push(...validateSecurityContext(c?.securityContext, child(index(child(path, list), i), 'securityContext'))));
  }
  return errs;
}
