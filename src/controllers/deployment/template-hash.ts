/**
 * The pod-template-hash: which ReplicaSet belongs to which template.
 *
 * Upstream (controller.ComputeHash, here src/controller-runtime/workload/hash.ts) hashes the Go struct printed by spew with FNV-32a, appends the
 * collision count as 4 little-endian bytes, and spells the decimal hash with SafeEncodeString's
 * alphabet. Go struct printing cannot be reproduced from JSON, so Bosun hashes a canonical JSON
 * rendering instead (keys sorted; empty values dropped, see `normalizeTemplate`), with the same
 * FNV-32a, collision-count suffix and alphabet. The value is stable across restarts and versions of
 * Bosun but differs from what a real cluster computes for the same template.
 *
 * Template equality (upstream EqualIgnoreHash) ignores the pod-template-hash label and, like
 * apimachinery's semantic equality, treats absent, null, empty strings, false, empty lists and
 * empty maps alike, so a template that went through a Go client (which omits zero values) still
 * equals the one it came from.
 */
import type { PodTemplate } from '../../controller-runtime/workload/types.js';
import { computeHash as hashValue, normalizeValue } from '../../controller-runtime/workload/hash.js';
import { POD_TEMPLATE_HASH_LABEL } from './types.js';

export { safeEncodeString } from '../../controller-runtime/workload/hash.js';

/** The template without the pod-template-hash label, normalized. */
export function normalizeTemplate(t: Readonly<PodTemplate> | undefined): unknown {
  const copy = structuredClone(t ?? {}) as PodTemplate;
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return normalizeValue(copy) ?? {};
}

/** Semantic equality of two pod templates, ignoring the pod-template-hash label. */
export function equalIgnoreHash(a: Readonly<PodTemplate> | undefined, b: Readonly<PodTemplate> | undefined): boolean {
  return JSON.stringify(normalizeTemplate(a)) === JSON.stringify(normalizeTemplate(b));
}

/** The pod-template-hash of a template (the hash label itself is ignored) and collision count. */
export function computeHash(template: Readonly<PodTemplate> | undefined, collisionCount?: number): string {
  return hashValue(normalizeTemplate(template), collisionCount);
}
