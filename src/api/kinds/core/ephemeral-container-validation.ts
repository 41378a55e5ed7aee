/**
 * Ephemeral containers' rules, as upstream's pkg/apis/core/validation: validateEphemeralContainers
 * (run with every PodSpec: what a container must be, a name unique among all the pod's containers,
 * a target that is one of the pod's other containers, and only the allow-listed fields: no ports,
 * probes, resources, lifecycle, restart or resize policy, no subPath mounts) and
 * ValidatePodEphemeralContainersUpdate (the pods/ephemeralcontainers subresource: entries may be
 * added, never changed or removed).
 */
import { child, fe, index } from '../../schema/errors.js';
import { deepEqual } from '../../schema/equal.js';
import type { FieldError } from '../../status.js';
import type { EphemeralContainer } from './container.js';
import { ephemeralContainerDiff } from './ephemeral-container-diff.js';

/** upstream allowedEphemeralContainerFields, in the JSON names: any other field set is Forbidden. */
const ALLOWED = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
  'targetContainerName',
]);

const FORBIDDEN_DETAIL = 'cannot be set for an Ephemeral Container';

/** Go's zero value test of validateFieldAllowList: absent, or an empty struct (`resources: {}` as kubectl debug sends). */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return true;
  return typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/**
 * The ephemeral-only checks (the container checks common to every container run elsewhere).
 * `others`: the names of the pod's containers and init containers (the possible targets).
 */
export function validateEphemeralOnly(ecs: EphemeralContainer[], path: string, others: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  ecs.forEach((ec, i) => {
    const p = index(path, i);
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) {
      errs.push({ type: 'FieldValueNotFound', field: child(p, 'targetContainerName'), detail: `Not found: ${JSON.stringify(ec.targetContainerName)}` });
    }
    for (const [k, v] of Object.entries(ec)) {
      if (!ALLOWED.has(k) && !isZero(v)) errs.push(fe.forbidden(child(p, k), FORBIDDEN_DETAIL));
    }
    (ec.volumeMounts ?? []).forEach((m, j) => {
      const mp = index(child(p, 'volumeMounts'), j);
      if (m.subPath) errs.push(fe.forbidden(child(mp, 'subPath'), FORBIDDEN_DETAIL));
      if (m.subPathExpr) errs.push(fe.forbidden(child(mp, 'subPathExpr'), FORBIDDEN_DETAIL));
    });
  });
  return errs;
}

/** ValidatePodEphemeralContainersUpdate's part 2: each existing entry, found by name, unchanged (a change is shown as cmp.Diff shows it). */
export function validateEphemeralContainersUpdate(nu: EphemeralContainer[] | undefined, old: EphemeralContainer[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const byName = new Map((nu ?? []).map((c) => [c.name, c]));
  for (const o of old ?? []) {
    const n = byName.get(o.name);
    if (!n) errs.push(fe.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(o.name)} may not be removed\n`));
    else if (!deepEqual(n, o)) errs.push(fe.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(o.name)} may not be changed\n${ephemeralContainerDiff(o, n)}`));
  }
  return errs;
}
