/**
 * Field selectors as upstream's fields.ParseSelector: comma-separated `key=value`, `key==value`,
 * `key!=value` terms (all must hold); `\` escapes `,`, `=` and `\` in values. Matching reads a
 * flat map such as {"metadata.name": "web", "spec.nodeName": "n1"}; a missing field reads as "".
 */
import { errors } from '../status.js';

export interface FieldRequirement {
  field: string;
  /** `==` parses to `=` (upstream keeps one equality term type). */
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

/** Splits on commas not escaped with a backslash. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) { cur += c + s[++i]; continue; }
    if (c === ',') { terms.push(cur); cur = ''; continue; }
    cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(selector: string, v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined || !'\\,='.includes(n)) {
        throw errors.badRequest(`invalid field selector: '${selector}'; invalid escape sequence in value '${v}'`);
      }
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      // An unescaped operator character in the value: upstream rejects it too.
      throw errors.badRequest(`invalid field selector: '${selector}'; unescaped '${c}' in value '${v}'`);
    } else out += c;
  }
  return out;
}

/** Parses a field selector; `''` matches everything. Errors are 400 BadRequest. */
export function parseFieldSelector(selector: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (selector.trim() === '') return { requirements };
  for (const term of splitTerms(selector)) {
    // The first operator wins, tried in upstream's order at each position.
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m || m[1]!.trim() === '') {
      throw errors.badRequest(`invalid field selector: '${selector}'; can't understand '${term}'`);
    }
    requirements.push({ field: m[1]!.trim(), operator: m[2] === '!=' ? '!=' : '=', value: unescape(selector, m[3]!) });
  }
  return { requirements };
}

/** Whether every term holds for `fields`. */
export function matchesFields(selector: FieldSelector, fields: Record<string, string>): boolean {
  return selector.requirements.every((r) => {
    const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field]! : '';
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}

/** The value of the first `=`/`==` term on `field`, if any (e.g. metadata.name for a single-object watch). */
export function exactFieldValue(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

/** The canonical string form (`a=b,c!=d`), escaping as upstream. */
export function fieldSelectorString(selector: FieldSelector): string {
  return selector.requirements
    .map((r) => `${r.field}${r.operator}${r.value.replace(/[\\,=]/g, (c) => `\\${c}`)}`)
    .join(',');
}
