/**
 * The shape of a schema node's x-kubernetes-validations entries, checked before any is compiled, as
 * apiextensions' validateSchemaStuffWithXPrefixedName: a rule must be given, a message given must
 * not be blank nor span lines, and a rule that spans lines needs a message (its text would not make one).
 */
import { fe } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import type { ValidationRule } from './structural.js';

const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

/** The errors of the rules at `at` (a schema node's path); one per rule at most, in upstream's order of checks. */
export function ruleSpecErrors(rules: ValidationRule[], at: string): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const p = `${at}.x-kubernetes-validations[${i}]`;
    const rule = typeof r?.rule === 'string' ? r.rule.trim() : '';
    const message = typeof r?.message === 'string' ? r.message : '';
    if (rule === '') errs.push(fe.required(`${p}.rule`, 'rule is not specified'));
    else if (message.length > 0 && message.trim() === '') errs.push(fe.invalid(`${p}.message`, message, 'message must be non-empty if specified'));
    else if (hasNewlines(message.trim())) errs.push(fe.invalid(`${p}.message`, message, 'message must not contain line breaks'));
    else if (hasNewlines(rule) && message.trim() === '') errs.push(fe.required(`${p}.message`, 'message must be specified if rule contains line breaks'));
  });
  return errs;
}
