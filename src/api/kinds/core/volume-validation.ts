/**
 * The volume rules of upstream's ValidatePodSpec (pkg/apis/core/validation/validation.go) that keep a
 * volume's files inside the volume: configMap/secret/downwardAPI/projected item paths
 * (validateKeyToPath, validateDownwardAPIVolumeFile, ValidateLocalNonReservedPath: relative, no '..'
 * element, not starting with '..'), file modes (0-0777), hostPath without '..' (validatePathNoBacksteps),
 * volumeMounts' subPath and subPathExpr (validateLocalDescendingPath); fsGroupChangePolicy is an enum
 * of the schema (pod-spec.ts). The node checks the same again (src/agent/volumes/atomic-writer.ts,
 * safe-subpath.ts): the API is the first wall, not the only one.
 */
import { child, fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import type { VolumeMount } from './container.js';
import type { KeyToPath, Volume } from './volume.js';

const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

/** validatePathNoBacksteps: no `..` element (one error however many there are). */
function noBacksteps(p: string, field: string): FieldError[] {
  return p.split('/').includes('..') ? [fe.invalid(field, p, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath: relative, without `..` elements. */
export function validateLocalDescendingPath(p: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fe.invalid(field, p, 'must be a relative path'));
  errs.push(...noBacksteps(p, field));
  return errs;
}

/** ValidateLocalNonReservedPath: a descending path that also does not start with `..` (`..data` is the writer's). */
export function validateLocalNonReservedPath(p: string, field: string): FieldError[] {
  const errs = validateLocalDescendingPath(p, field);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(fe.invalid(field, p, "must not start with '..'"));
  return errs;
}

function validateMode(mode: number | undefined, field: string): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [fe.invalid(field, mode, FILE_MODE_MSG)] : [];
}

function validateKeyToPath(kp: KeyToPath, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(fe.required(child(p, 'key')));
  if (!kp.path) errs.push(fe.required(child(p, 'path')));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', child(p, 'path')));
  errs.push(...validateMode(kp.mode, child(p, 'mode')));
  return errs;
}

type DownwardFile = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];

function validateDownwardFile(f: DownwardFile, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!f.path) errs.push(fe.required(child(p, 'path')));
  errs.push(...validateLocalNonReservedPath(f.path ?? '', child(p, 'path')));
  if (f.fieldRef && f.resourceFieldRef) errs.push(fe.invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  else if (!f.fieldRef && !f.resourceFieldRef) errs.push(fe.required(p, 'one of fieldRef and resourceFieldRef is required'));
  errs.push(...validateMode(f.mode, child(p, 'mode')));
  return errs;
}

const keyPaths = (items: KeyToPath[] | undefined, p: string): FieldError[] =>
  (items ?? []).flatMap((kp, i) => validateKeyToPath(kp, index(child(p, 'items'), i)));

/** validateProjectionSources: each source's paths, one source type per entry, no path twice. */
function validateProjected(src: NonNullable<Volume['projected']>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  const claim = (path: string | undefined, name: string): void => {
    if (!path) return;
    if (seen.has(path)) errs.push(fe.invalid(p, name, 'conflicting duplicate paths'));
    seen.add(path);
  };
  (src.sources ?? []).forEach((s, i) => {
    const sp = index(child(p, 'sources'), i);
    const kinds = [s.secret, s.configMap, s.downwardAPI, s.serviceAccountToken, s.clusterTrustBundle].filter((x) => x != null).length;
    if (kinds > 1) errs.push(fe.forbidden(sp, 'may not specify more than 1 volume type per source'));
    for (const kind of ['secret', 'configMap'] as const) {
      const ref = s[kind];
      if (!ref) continue;
      errs.push(...keyPaths(ref.items, child(sp, kind)));
      for (const kp of ref.items ?? []) claim(kp.path, ref.name ?? '');
    }
    if (s.downwardAPI) {
      (s.downwardAPI.items ?? []).forEach((f, j) => {
        errs.push(...validateDownwardFile(f, index(child(child(sp, 'downwardAPI'), 'items'), j)));
        claim(f.path, f.path);
      });
    }
    if (s.serviceAccountToken) {
      const tp = child(child(sp, 'serviceAccountToken'), 'path');
      if (!s.serviceAccountToken.path) errs.push(fe.required(tp));
      errs.push(...validateLocalNonReservedPath(s.serviceAccountToken.path ?? '', tp));
      claim(s.serviceAccountToken.path, s.serviceAccountToken.path);
    }
  });
  errs.push(...validateMode(src.defaultMode, child(p, 'defaultMode')));
  return errs;
}

/** The path rules of one volume's source; `p` is the volume's path (`spec.volumes[0]`). */
export function validateVolumeSource(v: Volume, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v.configMap) {
    const cp = child(p, 'configMap');
    errs.push(...validateMode(v.configMap.defaultMode, child(cp, 'defaultMode')), ...keyPaths(v.configMap.items, cp));
  }
  if (v.secret) {
    const sp = child(p, 'secret');
    errs.push(...validateMode(v.secret.defaultMode, child(sp, 'defaultMode')), ...keyPaths(v.secret.items, sp));
  }
  if (v.downwardAPI) {
    const dp = child(p, 'downwardAPI');
    errs.push(...validateMode(v.downwardAPI.defaultMode, child(dp, 'defaultMode')));
    (v.downwardAPI.items ?? []).forEach((f, i) => errs.push(...validateDownwardFile(f, index(child(dp, 'items'), i))));
  }
  if (v.projected) errs.push(...validateProjected(v.projected, child(p, 'projected')));
  if (v.hostPath?.path) errs.push(...noBacksteps(v.hostPath.path, child(child(p, 'hostPath'), 'path')));
  return errs;
}

/** subPath and subPathExpr of one volumeMount (`p` is `spec.containers[0].volumeMounts[0]`). */
export function validateSubPaths(m: VolumeMount, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, child(p, 'subPath')));
  if (m.subPathExpr) errs.push(...validateLocalDescendingPath(m.subPathExpr, child(p, 'subPathExpr')));
  return errs;
}
