/** metav1.LabelSelector ({matchLabels, matchExpressions}) as a selector, as LabelSelectorAsSelector does. */
import { errors } from '../status.js';
import { labelSelectorString, newRequirement, type LabelRequirement, type LabelSelector } from './label-selector.js';

export interface LabelSelectorRequirementObject {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementObject[];
}

/**
 * Converts the object form. A missing selector (null/undefined) matches nothing and an empty one
 * everything, as upstream. Invalid keys, values or operators are 400 BadRequest.
 */
export function labelSelectorFromObject(obj: LabelSelectorObject | null | undefined): LabelSelector {
  if (obj === null || obj === undefined) return { requirements: [], nothing: true };
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(obj.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of obj.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!op) throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
  }
  return { requirements: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

/** As metav1.FormatLabelSelector (kubectl's SELECTOR column): `<none>` for a missing or empty selector. */
export function formatLabelSelector(obj: LabelSelectorObject | null | undefined): string {
  if (obj === null || obj === undefined) return '<none>';
  let s: string;
  try {
    s = labelSelectorString(labelSelectorFromObject(obj));
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}
