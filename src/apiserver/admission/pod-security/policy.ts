/**
 * A namespace's Pod Security policy from its labels, as upstream's pod-security-admission/api
 * (helpers.go PolicyToEvaluate): `pod-security.kubernetes.io/<mode>` = privileged | baseline |
 * restricted and `<mode>-version` = latest | v1.<minor>, for the modes enforce, audit and warn.
 * Unlabelled namespaces are privileged:latest (upstream's default; nothing is exempt). An invalid
 * level reads as restricted and an invalid version as latest (fail closed), and the namespace's
 * own create/update is refused while the labels are invalid.
 */
import { fe } from '../../../api/schema/errors.js';
import type { FieldError } from '../../../api/status.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export type Mode = 'enforce' | 'audit' | 'warn';
export const MODES: readonly Mode[] = ['enforce', 'audit', 'warn'];
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';

export interface LevelVersion {
  level: Level;
  /** Minor version of 1.x, or 'latest'. */
  version: number | 'latest';
}

export type Policy = Record<Mode, LevelVersion>;

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version === 'latest' ? 'latest' : `v1.${lv.version}`}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && a.version === b.version;
}

export const compareLevels = (a: Level, b: Level): number => LEVELS.indexOf(a) - LEVELS.indexOf(b);

const labelPath = (key: string) => `metadata.labels[${key}]`;

export function policyFromLabels(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
  const latest = (): LevelVersion => ({ level: 'privileged', version: 'latest' });
  const policy: Policy = { enforce: latest(), audit: latest(), warn: latest() };
  const errors: FieldError[] = [];
  const has = (k: string) => labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k);
  let enforceLevelSet = false;
  for (const mode of MODES) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const versionKey = `${levelKey}-version`;
    if (has(levelKey)) {
      const v = labels![levelKey]!;
      if ((LEVELS as readonly string[]).includes(v)) {
        policy[mode].level = v as Level;
        if (mode === 'enforce') enforceLevelSet = true;
      } else {
        policy[mode].level = 'restricted';
        errors.push(fe.invalid(labelPath(levelKey), v, 'must be one of privileged, baseline, restricted'));
      }
    }
    if (has(versionKey)) {
      const v = labels![versionKey]!;
      const m = /^v1\.(0|[1-9][0-9]*)$/.exec(v);
      if (v === 'latest') policy[mode].version = 'latest';
      else if (m) policy[mode].version = Number(m[1]);
      else errors.push(fe.invalid(labelPath(versionKey), v, 'must be "latest" or "v1.x"'));
    }
  }
  // Warn defaults to an explicitly set, stricter enforce level (and its version).
  if (!has(`${LABEL_PREFIX}warn`) && enforceLevelSet && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    if (!has(`${LABEL_PREFIX}warn-version`)) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}

/** The text of a policy's label errors as upstream's ErrorList.ToAggregate(): one error alone, several bracketed. */
export function policyErrorText(errors: readonly FieldError[]): string | undefined {
  const texts = errors.map((e) => `${e.field}: ${e.detail}`);
  if (texts.length === 0) return undefined;
  return texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
}
