/**
 * The defaults of a CRD version's schema checked at CRD create and update, as apiextensions'
 * schema/defaulting ValidateDefaults: every `default` (under properties and items; additionalProperties
 * may not carry one) must have no unknown fields ("must not have unknown fields", the value pruning
 * would change) and must validate against its own node's schema, errors placed under the node's
 * `default` (`...properties[replicas].default: Invalid value: "string": ...`). The CEL rules and the
 * embedded ObjectMeta checks upstream also runs on defaults are not run here.
 */
import { goValue } from '../schema/errors.js';
import { unknownFields } from '../schema/walk.js';
import type { FieldError } from '../status.js';
import { goSharpV } from './list-type.js';
import { toNode } from './schema-node.js';
import { validateValue, type JSONSchemaProps } from './structural.js';

/** ValidateDefaults of the schema at `path` (its openAPIV3Schema). */
export function validateDefaults(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  walk(s, path, errs);
  return errs;
}

function walk(s: JSONSchemaProps | undefined, path: string, errs: FieldError[]): void {
  if (!s || typeof s !== 'object') return;
  if (s.default !== undefined && s.default !== null) {
    const at = `${path}.default`;
    if (unknownFields(toNode(s, !!s['x-kubernetes-embedded-resource']), s.default).length > 0) {
      // field.Invalid prints a map or list default with %#v
      const shown = typeof s.default === 'object' ? goSharpV(s.default) : goValue(s.default);
      errs.push({ type: 'FieldValueInvalid', field: at, detail: `Invalid value: ${shown}: must not have unknown fields` });
    } else {
      // kube-openapi names a field relative to the validated value; ValidateCustomResource puts it under `default`
      const own: FieldError[] = [];
      validateValue(s, s.default, '', own);
      for (const e of own) errs.push({ ...e, field: e.field === '' ? at : e.field.startsWith('[') ? `${at}${e.field}` : `${at}.${e.field}` });
    }
  }
  walk(s.items, `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) walk(p, `${path}.properties[${k}]`, errs);
}
