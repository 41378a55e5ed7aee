/**
 * The options of a write from its query (CreateOptions, UpdateOptions, PatchOptions; DeleteOptions'
 * dryRun), checked as upstream's ValidateCreateOptions / ValidateUpdateOptions /
 * ValidatePatchOptions (apimachinery pkg/apis/meta/v1/validation): every problem becomes a cause of
 * one 422 Invalid on the options kind, `PatchOptions.meta.k8s.io "" is invalid: ...`.
 */
import { queryBool } from '../../api/query-params.js';
import { fe } from '../../api/schema/errors.js';
import type { FieldError } from '../../api/status.js';
import { optionsInvalid, type OptionsKind } from '../storage/errors.js';
import type { FieldValidation, PatchType } from '../storage/types.js';

export { optionsInvalid, type OptionsKind };

/** ValidateDryRun: every value must be "All" (an empty value too); Go prints the list as `[]string{...}`. */
export function dryRunErrors(values: readonly unknown[]): FieldError[] {
  if (values.every((v) => v === 'All')) return [];
  const shown = `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
  return [{ type: 'FieldValueNotSupported', field: 'dryRun', detail: `Unsupported value: ${shown}: supported values: "All"` }];
}

const FIELD_MANAGER_MAX = 128;
/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
function fieldManagerErrors(v: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(v) > FIELD_MANAGER_MAX) errs.push(fe.tooLong('fieldManager', FIELD_MANAGER_MAX));
  let at = 0;
  for (const ch of v) {
    if (!PRINTABLE.test(ch)) {
      const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(fe.invalid('fieldManager', v, `invalid character ${code} (at position ${at})`));
    }
    at += Buffer.byteLength(ch);
  }
  return errs;
}

const FIELD_VALIDATION: readonly FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** The query's, else the user agent's program name (the part before '/'), as upstream defaults it. */
  fieldManager?: string;
  /** PatchOptions.force (apply only). */
  force: boolean;
}

/** The write options of a create, update or patch (`patchType` for PatchOptions). */
export function parseWriteOptions(q: URLSearchParams, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', userAgent: string | undefined, patchType?: PatchType): WriteOptions {
  const errs: FieldError[] = [];
  const manager = q.get('fieldManager') ?? '';
  const force = queryBool(q, 'force');
  if (kind === 'PatchOptions') {
    if (patchType !== 'apply' && force !== undefined) errs.push(fe.forbidden('force', 'may not be specified for non-apply patch'));
    if (patchType === 'apply' && manager === '') errs.push(fe.required('fieldManager', 'is required for apply patch'));
  }
  errs.push(...fieldManagerErrors(manager));
  const dryRun = q.getAll('dryRun');
  errs.push(...dryRunErrors(dryRun));
  const validation = q.get('fieldValidation') ?? '';
  if (validation !== '' && !FIELD_VALIDATION.includes(validation as FieldValidation)) errs.push(fe.notSupported('fieldValidation', validation, FIELD_VALIDATION));
  if (errs.length) throw optionsInvalid(kind, errs);
  const program = (userAgent ?? '').split('/')[0]?.trim();
  return {
    dryRun: dryRun.length > 0,
    fieldValidation: (validation || 'Warn') as FieldValidation,
    fieldManager: manager || (program ? program.slice(0, FIELD_MANAGER_MAX) : undefined),
    force: force ?? false,
  };
}
