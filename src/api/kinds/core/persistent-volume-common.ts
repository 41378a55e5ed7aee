/**
 * What PersistentVolume and PersistentVolumeClaim share (upstream pkg/apis/core/validation and
 * pkg/apis/core/helper): access modes and their short forms, volume modes, storage quantities.
 */
import { parseQuantity, Quantity } from '../../quantity/index.js';
import { fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
export const ZERO = Quantity.fromValue(0);
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once, comma-joined. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const m = new Set(modes ?? []);
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** validatePersistentVolumeAccessModes / the claim's variant: required, known, RWOP alone. */
export function validateAccessModes(modes: readonly string[] | undefined, path: string, requiredDetail?: string): FieldError[] {
  if (!modes?.length) return [fe.required(path, requiredDetail)];
  const errs: FieldError[] = [];
  for (const [i, m] of modes.entries()) {
    if (!(ACCESS_MODES as readonly string[]).includes(m)) errs.push(fe.notSupported(index(path, i), m, ACCESS_MODES));
  }
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errs.push(fe.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validateVolumeMode(mode: string | undefined, path: string): FieldError[] {
  if (mode === undefined || (VOLUME_MODES as readonly string[]).includes(mode)) return [];
  return [fe.notSupported(path, mode, VOLUME_MODES)];
}

/** A quantity from a map of them, or undefined when absent or unparseable (structure checks report those). */
export function storageOf(m: Record<string, unknown> | undefined): Quantity | undefined {
  const v = m?.storage;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(String(v));
  } catch {
    return undefined;
  }
}

/** True when a volume with `have` modes offers every mode of `want` (upstream's CheckAccessModes). */
export function accessModesContain(have: readonly string[] | undefined, want: readonly string[] | undefined): boolean {
  const h = new Set(have ?? []);
  return (want ?? []).every((m) => h.has(m));
}
