/**
 * Audit annotations added by admission, as upstream's admission.Attributes.AddAnnotation (which its
 * audit handler copies onto the request's audit event): the key must be `<prefix>/<name>` with exactly
 * one '/' and be a qualified name (checkKeyFormat), and a key already set keeps its first value (an
 * overwrite is refused). The webhook dispatchers log such a refusal and go on, so it is not the
 * request's failure: the reason is returned, and the request goes on. An annotation has a level
 * (AddAnnotationWithLevel; Metadata by default): one above the event's level is not logged.
 */
import { isQualifiedName } from '../../api/kinds/meta/names.js';
import { LEVELS, type AuditLevel } from '../audit/policy.js';
import type { RequestContext } from '../storage/types.js';

/** Adds `key` = `value` to the request's audit event; returns why not, or undefined. Unaudited: nothing to do. */
export function addAuditAnnotation(ctx: RequestContext, key: string, value: string, level: AuditLevel = 'Metadata'): string | undefined {
  const annotations = ctx.auditAnnotations;
  if (!annotations) return undefined;
  if (LEVELS.indexOf(level) > LEVELS.indexOf(ctx.auditLevel ?? 'Metadata')) return undefined;
  if (key.split('/').length !== 2) return `annotation key ${JSON.stringify(key)} has invalid format: a DNS subdomain prefix, '/' and a key name are required`;
  const errs = isQualifiedName(key);
  if (errs.length > 0) return `annotation key ${JSON.stringify(key)} has invalid format ${errs.join(',')}`;
  const old = annotations.get(key);
  if (old !== undefined && old !== value) return `admission annotations are not allowed to be overwritten, key: ${JSON.stringify(key)}, old value: ${JSON.stringify(old)}, new value: ${JSON.stringify(value)}`;
  annotations.set(key, value);
  return undefined;
}
