/**
 * The pod-template-hash: which ReplicaSet belongs to which template.
 *
 * Upstream (controller.ComputeHash) hashes the Go struct printed by spew with FNV-32a, appends the
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
import { POD_TEMPLATE_HASH_LABEL } from './types.js';

/** Drop empty values recursively; what remains has sorted keys. Undefined for an all-empty value. */
export function normalizeValue(v: unknown): unknown {
  if (v === null || v === undefined || v === '' || v === false) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => normalizeValue(x) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const n = normalizeValue((v as Record<string, unknown>)[k]);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

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

/** FNV-1a, 32 bit. */
export function fnv32a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** apimachinery rand.SafeEncodeString: no vowels (no words) and no look-alike characters. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** The pod-template-hash of a template (the hash label itself is ignored) and collision count. */
export function computeHash(template: Readonly<PodTemplate> | undefined, collisionCount?: number): string {
  const json = Buffer.from(JSON.stringify(normalizeTemplate(template)), 'utf8');
  let bytes: Uint8Array = json;
  if (collisionCount !== undefined && collisionCount !== null) {
    const suffix = Buffer.alloc(4);
    suffix.writeUInt32LE(collisionCount >>> 0);
    bytes = Buffer.concat([json, suffix]);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}
