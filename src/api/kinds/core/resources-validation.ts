/**
 * A container's resources as upstream's ValidateResourceRequirements (pkg/apis/core/validation/
 * validation.go) checks extended resources (names with a domain outside kubernetes.io, e.g.
 * `nvidia.com/gpu`, `example.com/foo`): whole numbers only ("must be an integer"), never
 * overcommitted, so a request needs a limit ("Limit must be set for non overcommitable resources")
 * and must equal it ("must be equal to <name> limit of <limit>"). A limit alone is fine: the request
 * defaults to it (the scheduler reads it so). Native resources keep request <= limit.
 */
import { parseQuantity, type Quantity } from '../../quantity/index.js';
import { child, fe } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';

/** Upstream IsNativeResource: no domain, or a kubernetes.io one. */
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
/** Upstream IsExtendedResourceName: not native and not a quota `requests.` name. */
export const isExtendedResourceName = (name: string): boolean => !isNative(name) && !name.startsWith('requests.');
/** Upstream IsOvercommitAllowed: native and not hugepages. */
const overcommitAllowed = (name: string): boolean => isNative(name) && !name.startsWith('hugepages-');

function parse(q: unknown): Quantity | undefined {
  try {
    return parseQuantity(String(q));
  } catch {
    return undefined; // the schema reported it
  }
}

export function validateResourceRequirements(resources: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const integer = (name: string, q: Quantity, p: string) => {
    if (isExtendedResourceName(name) && q.milliValue() % 1000n !== 0n) errs.push(fe.invalid(`${p}[${name}]`, q.toString(), 'must be an integer'));
  };
  for (const [name, raw] of Object.entries(resources?.limits ?? {})) {
    const q = parse(raw);
    if (q) integer(name, q, limPath);
  }
  for (const [name, raw] of Object.entries(resources?.requests ?? {})) {
    const q = parse(raw);
    if (!q) continue;
    integer(name, q, reqPath);
    const rawLimit = resources?.limits?.[name];
    const limit = rawLimit === undefined ? undefined : parse(rawLimit);
    if (rawLimit === undefined) {
      if (!overcommitAllowed(name)) errs.push(fe.required(limPath, 'Limit must be set for non overcommitable resources'));
    } else if (limit && q.cmp(limit) !== 0 && !overcommitAllowed(name)) {
      errs.push(fe.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
    } else if (limit && q.cmp(limit) > 0) {
      errs.push(fe.invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
    }
  }
  return errs;
}
