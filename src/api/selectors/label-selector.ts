/**
 * Label selectors as upstream's labels.Parse understands them: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated (all must hold).
 * Parse errors are 400 BadRequest StatusErrors.
 */
import { errors } from '../status.js';
import { labelKeyErrors, labelValueErrors } from './label-validation.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated; one value for `=`, `==`, `!=`, `gt`, `lt`; none for exists and `!`. */
  values: string[];
}

/** A parsed selector: requirements sorted by key, as upstream keeps them. Empty matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  /** True for the selector that matches nothing (a nil metav1.LabelSelector). */
  nothing?: boolean;
}

export type Labels = Record<string, string> | undefined;

type Token = { kind: 'id' | 'op' | 'end'; text: string; pos: number };
const OPERATORS = ['==', '!=', '=', '!', '(', ')', ',', '>', '<'];
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<', ' ', '\t', '\n', '\r']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (op) { out.push({ kind: 'op', text: op, pos: i }); i += op.length; continue; }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j]!) && !/\s/.test(s[j]!)) j++;
    out.push({ kind: 'id', text: s.slice(i, j), pos: i });
    i = j;
  }
  out.push({ kind: 'end', text: '', pos: s.length });
  return out;
}

function fail(detail: string): never {
  throw errors.badRequest(`unable to parse requirement: ${detail}`);
}

/** Builds a requirement with upstream's checks (labels.NewRequirement). */
export function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) fail(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) fail("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) fail(`values: Invalid value: ${JSON.stringify(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists': case '!':
      if (values.length !== 0) fail(`values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt': case 'lt':
      if (values.length !== 1 || !/^[+-]?[0-9]+$/.test(values[0]!)) {
        fail(`values: Invalid value: ${JSON.stringify(values)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      return { key, operator, values };
  }
  values.forEach((v, i) => {
    const errs = labelValueErrors(v);
    if (errs.length) fail(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
  });
  return { key, operator, values: [...new Set(values)].sort() };
}

/** Parses a label selector string; `''` matches everything. */
export function parseLabelSelector(selector: string): LabelSelector {
  const toks = lex(selector);
  let p = 0;
  const peek = () => toks[p]!;
  const next = () => toks[p++]!;
  const requirements: LabelRequirement[] = [];
  if (peek().kind === 'end') return { requirements };
  for (;;) {
    let negate = false;
    if (peek().text === '!' && peek().kind === 'op') { negate = true; next(); }
    const keyTok = next();
    if (keyTok.kind !== 'id') fail(`found '${keyTok.text || 'EOS'}', expected: !, identifier`);
    const key = keyTok.text;
    const after = peek();
    if (after.kind === 'end' || after.text === ',') {
      requirements.push(newRequirement(key, negate ? '!' : 'exists', []));
    } else if (negate) {
      fail(`found '${after.text}', expected: ',' or 'end of string'`);
    } else {
      const opTok = next();
      if (opTok.kind === 'id' && (opTok.text === 'in' || opTok.text === 'notin')) {
        requirements.push(newRequirement(key, opTok.text, parseSet()));
      } else if (opTok.kind === 'op' && ['=', '==', '!=', '>', '<'].includes(opTok.text)) {
        const v = peek();
        let value = '';
        if (v.kind === 'id') value = next().text;
        else if (!(v.kind === 'end' || v.text === ',')) fail(`found '${v.text}', expected: identifier`);
        const op = opTok.text === '>' ? 'gt' : opTok.text === '<' ? 'lt' : (opTok.text as LabelOperator);
        requirements.push(newRequirement(key, op, [value]));
      } else {
        fail(`found '${opTok.text || 'EOS'}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = next();
    if (sep.kind === 'end') break;
    if (sep.text !== ',') fail(`found '${sep.text}', expected: ',' or 'end of string'`);
    if (peek().kind === 'end') fail("found 'EOS', expected: !, identifier");
  }
  return { requirements: requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };

  function parseSet(): string[] {
    const open = next();
    if (open.text !== '(') fail(`found '${open.text || 'EOS'}', expected: '('`);
    const values: string[] = [];
    if (peek().text === ')' && peek().kind === 'op') { next(); return values; }
    for (;;) {
      const t = peek();
      if (t.kind === 'id') { values.push(next().text); } else if (t.text === ',' || t.text === ')') { values.push(''); } else fail(`found '${t.text || 'EOS'}', expected: ',', ')' or identifier`);
      const sep = next();
      if (sep.text === ')') return values;
      if (sep.text !== ',') fail(`found '${sep.text || 'EOS'}', expected: ',' or ')'`);
    }
  }
}

/** Whether one requirement holds for `labels` (upstream Requirement.Matches). */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case '=': case '==': case 'in': return has && r.values.includes(value!);
    case '!=': case 'notin': return !has || !r.values.includes(value!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[+-]?[0-9]+$/.test(value!)) return false;
      const lhs = BigInt(value!);
      const rhs = BigInt(r.values[0]!);
      return r.operator === 'gt' ? lhs > rhs : lhs < rhs;
    }
  }
}

/** Whether every requirement holds; the empty selector matches all, `nothing` none. */
export function matchesLabels(selector: LabelSelector, labels: Labels): boolean {
  if (selector.nothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

/** The string form upstream prints (`a=b,c in (x,y),!d`); parses back to the same selector. */
export function labelSelectorString(selector: LabelSelector): string {
  return selector.requirements.map((r) => {
    switch (r.operator) {
      case 'exists': return r.key;
      case '!': return `!${r.key}`;
      case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
      case 'gt': return `${r.key}>${r.values[0]}`;
      case 'lt': return `${r.key}<${r.values[0]}`;
      default: return `${r.key}${r.operator}${r.values[0]}`;
    }
  }).join(',');
}
