/** ValidateObjectMeta and friends (k8s.io/apimachinery/pkg/api/validation/objectmeta.go). */
import { child, fe, index } from '../../schema/errors.js';
import type { ObjectMeta } from '../../meta.js';
import type { FieldError } from '../../status.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, type NameValidator } from './names.js';

const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(fe.invalid(path, k, m));
    // A patch can leave null (or another non-string) as a value; it is refused, never stored.
    if (typeof v !== 'string') errs.push(fe.typeInvalid(`${path}.${k}`, v, 'must be a string'));
    else for (const m of isValidLabelValue(v)) errs.push(fe.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fe.invalid(path, k, m));
    if (typeof v !== 'string') {
      errs.push(fe.typeInvalid(`${path}.${k}`, v, 'must be a string'));
      continue;
    }
    total += k.length + v.length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push({ type: 'FieldValueTooLong', field: path, detail: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes` });
  return errs;
}

/** Metadata checks on create (and the shared part of update). */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  if (!meta) return [fe.required(path)];
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const m of nameFn(meta.generateName, true)) errs.push(fe.invalid(child(path, 'generateName'), meta.generateName, m));
  }
  if (!meta.name) {
    errs.push(fe.required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const m of nameFn(meta.name, false)) errs.push(fe.invalid(child(path, 'name'), meta.name, m));
  }
  if (namespaced) {
    if (!meta.namespace) errs.push(fe.required(child(path, 'namespace')));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(fe.invalid(child(path, 'namespace'), meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(fe.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) errs.push(fe.invalid(child(path, 'generation'), meta.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const p = index(child(path, 'ownerReferences'), i);
    if (!ref.apiVersion) errs.push(fe.invalid(child(p, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(fe.invalid(child(p, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fe.invalid(child(p, 'name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fe.invalid(child(p, 'uid'), ref.uid ?? '', 'uid must not be empty'));
  });
  const controllers = (meta.ownerReferences ?? []).filter((r) => r.controller);
  if (controllers.length > 1) {
    errs.push(fe.invalid(child(path, 'ownerReferences'), '', `Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((r) => `${r.kind}/${r.name}`).join(' and ')}`));
  }
  (meta.finalizers ?? []).forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(fe.invalid(index(child(path, 'finalizers'), i), f, m));
  });
  return errs;
}

/** ValidateObjectMetaUpdate: the fields that never change. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const immutable: (keyof ObjectMeta)[] = ['name', 'namespace', 'uid', 'creationTimestamp'];
  for (const k of immutable) {
    if (old[k] !== undefined && meta[k] !== old[k]) errs.push(fe.invalid(child(path, k), meta[k] ?? '', 'field is immutable'));
  }
  if (old.deletionTimestamp && meta.deletionTimestamp !== old.deletionTimestamp) {
    errs.push(fe.invalid(child(path, 'deletionTimestamp'), meta.deletionTimestamp ?? null, 'field is immutable; may only be changed via deletion'));
  }
  return errs;
}
