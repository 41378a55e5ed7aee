/**
 * Strategic merge patch directives and the apimachinery mergepatch errors, with the HTTP mapping
 * of kube-apiserver's interpretStrategicMergePatchError (400 for malformed directives, 422 for
 * lists of lists and `$retainKeys` mismatches, 500 for the plain Go errors it does not map).
 */
import type { StatusError } from '../../../api/status.js';
import type { FieldInfo } from '../../../api/resource.js';
import { badPatch, patchInternal, patchNotApplicable } from '../patch-errors.js';

export const PATCH_DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER = '$setElementOrder/';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

export const smpErrors = {
  badRetainKeys: (): StatusError => badPatch('invalid patch format of retainKeys'),
  badSetElementOrder: (): StatusError => badPatch('invalid patch format of setElementOrder list'),
  badPrimitiveList: (): StatusError => badPatch('invalid patch format of primitive list'),
  noListOfLists: (): StatusError => patchNotApplicable(),
  retainKeysMismatch: (): StatusError => patchNotApplicable(),
  badPatchType: (directive: unknown, m: unknown): StatusError =>
    patchInternal(`Unknown patch type: ${String(directive)} in map: ${goFormat(m)}`),
  noMergeKey: (m: unknown, key: string): StatusError =>
    patchInternal(`map: ${goFormat(m)} does not contain declared merge key: ${key}`),
  noMergeKeyDeclared: (path: string[]): StatusError => patchInternal(`cannot merge lists without merge key for ${path.join('.')}`),
  listMergeUnsupported: (): StatusError => patchInternal('merging lists cannot yet be specified in the patch'),
  orderMismatch: (): StatusError => patchInternal(`The order in patch list doesn't match ${SET_ELEMENT_ORDER} list`),
};

/** Roughly how Go's %v prints a decoded JSON value (map[k:v] with sorted keys). */
function goFormat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goFormat(o[k])}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

/** The strategies of a field (`patchStrategy` may list several, e.g. `merge,retainKeys`). */
export function strategies(info: FieldInfo | undefined): Set<string> {
  return new Set((info?.patchStrategy ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}
