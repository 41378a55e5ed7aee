/** meta/v1 LabelSelector and its validation (ValidateLabelSelector). */
import { s } from '../../schema/builders.js';
import { child, fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { validateLabels } from './validation.js';
import { isQualifiedName } from './names.js';

export const labelSelectorRequirementSchema = s.object({
  key: s.string('key is the label key that the selector applies to.'),
  operator: s.string("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
  values: s.strings('values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.'),
}, {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', required: ['key', 'operator'],
  description: 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
});

export const labelSelectorSchema = s.object({
  matchLabels: s.stringMap('matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.'),
  matchExpressions: s.array(labelSelectorRequirementSchema, { description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.', listType: 'atomic' }),
}, {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', mapType: 'atomic',
  description: 'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.',
});

export type LabelSelector = Infer<typeof labelSelectorSchema>;
export type LabelSelectorRequirement = Infer<typeof labelSelectorRequirementSchema>;

/** ValidateLabelSelector: operators, value counts, key and value syntax. */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const n = req.values?.length ?? 0;
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (n === 0) errs.push(fe.required(child(p, 'values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (n > 0) errs.push(fe.forbidden(child(p, 'values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(fe.invalid(child(p, 'operator'), req.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(req.key)) errs.push(fe.invalid(child(p, 'key'), req.key, m));
  });
  errs.push(...validateLabels(sel.matchLabels, child(path, 'matchLabels')));
  return errs;
}

/**
 * Whether a selector matches a set of labels (In/NotIn/Exists/DoesNotExist, matchLabels ANDed).
 * An empty selector matches everything; callers decide what a missing selector means.
 */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In': if (!has || !vals.includes(l[r.key]!)) return false; break;
      case 'NotIn': if (has && vals.includes(l[r.key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** kubectl's rendering of a selector (metav1.FormatLabelSelector): `app=web,tier in (a,b)`, `<none>` when empty. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const k of Object.keys(sel.matchLabels ?? {}).sort()) parts.push(`${k}=${sel.matchLabels![k]}`);
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    switch (r.operator) {
      case 'In': parts.push(`${r.key} in (${vals})`); break;
      case 'NotIn': parts.push(`${r.key} notin (${vals})`); break;
      case 'Exists': parts.push(r.key); break;
      case 'DoesNotExist': parts.push(`!${r.key}`); break;
      default: parts.push(`${r.key} ${r.operator} (${vals})`);
    }
  }
  const out = parts.join(',');
  return out === '' ? '<none>' : out;
}

/** labels.Selector.String() of a converted LabelSelector: requirements sorted by key, `""` when empty. */
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...new Set(r.values ?? [])].sort().join(',');
    const text = r.operator === 'In' ? `${r.key} in (${vals})` : r.operator === 'NotIn' ? `${r.key} notin (${vals})` : r.operator === 'Exists' ? r.key : `!${r.key}`;
    reqs.push({ key: r.key, text });
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}
