/**
 * core/v1 LimitRange: per-namespace bounds and defaults that the LimitRanger admission applies to
 * pods, containers and claims. Defaults as upstream's SetDefaults_LimitRangeItem (a Container item's
 * default limit falls back to max, its default request to the default limit, then to min);
 * validation as ValidateLimitRange (pkg/apis/core/validation/validation.go); table as upstream's
 * printLimitRange (NAME, CREATED AT).
 */
import type { ObjectMeta } from '../../meta.js';
import { parseQuantity, type Quantity } from '../../quantity/index.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { AGE_DESCRIPTION, col, nameColumn } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const V1 = 'io.k8s.api.core.v1';
export const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'] as const;

const resourceList = (description: string) => s.map(s.quantity(), description);

export const limitRangeItemSchema = s.object({
  type: s.string({ enum: LIMIT_TYPES, description: 'Type of resource that this limit applies to.' }),
  max: resourceList('Max usage constraints on this kind by resource name.'),
  min: resourceList('Min usage constraints on this kind by resource name.'),
  default: resourceList('Default resource requirement limit value by resource name if resource limit is omitted.'),
  defaultRequest: resourceList('DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.'),
  maxLimitRequestRatio: resourceList('MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.'),
}, { name: `${V1}.LimitRangeItem`, required: ['type'], description: 'LimitRangeItem defines a min/max usage limit for any resource that matches on kind.' });

export const limitRangeSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    limits: s.array(limitRangeItemSchema, { description: 'Limits is the list of LimitRangeItem objects that are enforced.', listType: 'atomic' }),
  }, { name: `${V1}.LimitRangeSpec`, required: ['limits'], description: 'LimitRangeSpec defines a min/max usage limit for resources that match on kind.' }),
}, { name: `${V1}.LimitRange`, gvk: gvk('', 'v1', 'LimitRange'), description: 'LimitRange sets resource usage limits for each kind of resource in a Namespace.' });

export type LimitRange = Infer<typeof limitRangeSchema> & { metadata: ObjectMeta };
export type LimitRangeItem = Infer<typeof limitRangeItemSchema>;

/** SetDefaults_LimitRangeItem. */
export function defaultLimitRangeItem(item: LimitRangeItem): void {
  if (item.type !== 'Container') return;
  const def = (item.default ??= {});
  const req = (item.defaultRequest ??= {});
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
}

function q(v: unknown): Quantity | undefined {
  try {
    return parseQuantity(String(v));
  } catch {
    return undefined; // the schema reported it
  }
}

/** ValidateLimitRange's per-item checks, with upstream's messages and paths. */
function validateItem(item: LimitRangeItem, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const at = (field: string, k: string) => `${p}.${field}[${k}]`;
  if (item.type === 'Pod') {
    if (Object.keys(item.default ?? {}).length > 0) errs.push(fe.forbidden(`${p}.default`, 'may not be specified when `type` is \'Pod\''));
    if (Object.keys(item.defaultRequest ?? {}).length > 0) errs.push(fe.forbidden(`${p}.defaultRequest`, 'may not be specified when `type` is \'Pod\''));
  }
  const names = new Set([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {}), ...Object.keys(item.maxLimitRequestRatio ?? {})]);
  for (const k of [...names].sort()) {
    const max = q(item.max?.[k]);
    const min = q(item.min?.[k]);
    const def = q(item.default?.[k]);
    const defReq = q(item.defaultRequest?.[k]);
    const ratio = q(item.maxLimitRequestRatio?.[k]);
    for (const [field, v] of [['max', max], ['min', min], ['default', def], ['defaultRequest', defReq]] as const) {
      if (v && v.milliValue() < 0n) errs.push(fe.invalid(at(field, k), v.toString(), 'must be greater than or equal to 0'));
    }
    if (min && max && min.cmp(max) > 0) errs.push(fe.invalid(at('min', k), min.toString(), `min value ${min.toString()} is greater than max value ${max.toString()}`));
    if (defReq) {
      if (min && min.cmp(defReq) > 0) errs.push(fe.invalid(at('defaultRequest', k), defReq.toString(), `min value ${min.toString()} is greater than default request value ${defReq.toString()}`));
      if (max && defReq.cmp(max) > 0) errs.push(fe.invalid(at('defaultRequest', k), defReq.toString(), `default request value ${defReq.toString()} is greater than max value ${max.toString()}`));
      if (def && defReq.cmp(def) > 0) errs.push(fe.invalid(at('defaultRequest', k), defReq.toString(), `default request value ${defReq.toString()} is greater than default limit value ${def.toString()}`));
    }
    if (def) {
      if (min && min.cmp(def) > 0) errs.push(fe.invalid(at('default', k), def.toString(), `min value ${min.toString()} is greater than default value ${def.toString()}`));
      if (max && def.cmp(max) > 0) errs.push(fe.invalid(at('default', k), def.toString(), `default value ${def.toString()} is greater than max value ${max.toString()}`));
    }
    if (ratio) {
      if (ratio.milliValue() < 1000n) errs.push(fe.invalid(at('maxLimitRequestRatio', k), ratio.toString(), `ratio ${ratio.toString()} is less than 1`));
      if (max && min && min.milliValue() > 0n) {
        const maxRatio = Number(max.milliValue()) / Number(min.milliValue());
        if (Number(ratio.milliValue()) / 1000 > maxRatio) errs.push(fe.invalid(at('maxLimitRequestRatio', k), ratio.toString(), `ratio ${ratio.toString()} is greater than max/min = ${maxRatio.toFixed(6)}`));
      }
    }
  }
  return errs;
}

function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = `spec.limits[${i}]`;
    if (item.type && seen.has(item.type)) errs.push(fe.duplicate(`${p}.type`, item.type));
    if (item.type) seen.add(item.type);
    errs.push(...validateItem(item, p));
  });
  return errs;
}

export const limitRanges = defineKind<LimitRange>({
  group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'],
  schema: limitRangeSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (lr) => { for (const item of lr.spec?.limits ?? []) defaultLimitRangeItem(item); },
  validate: validateLimitRange,
  table: {
    columns: [nameColumn, col('Created At', 'date', AGE_DESCRIPTION)],
    row: (lr) => [lr.metadata?.name ?? '', lr.metadata?.creationTimestamp ?? ''],
  },
  protobufMessage: 'k8s.io.api.core.v1.LimitRange',
});
