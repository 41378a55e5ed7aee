/**
 * The hashes workload controllers name things by: FNV-32a over a canonical JSON rendering (keys
 * sorted, empty values dropped), spelled with apimachinery's SafeEncodeString alphabet.
 *
 * Upstream hashes Go values (spew-printed structs, or json.Marshal bytes of a struct in field
 * order); neither can be reproduced from JSON, so the values are stable across Bosun restarts and
 * versions but differ from a real cluster's for the same input. The collision-count suffixes follow
 * upstream: controller.ComputeHash appends 4 little-endian bytes, history.HashControllerRevision the
 * decimal digits.
 */

/** Drop empty values (null, '', false, [], {}) recursively; what remains has sorted keys. Undefined for an all-empty value. */
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

/** JSON with object keys sorted (values kept as they are): equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val === null || typeof val !== 'object' || Array.isArray(val)) return val;
    const o = val as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
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

/**
 * controller.ComputeHash: the hash of `value` (normalized: empty values dropped, keys sorted) with
 * the collision count appended as 4 little-endian bytes when given. Used for the
 * pod-template-hash and the DaemonSet's controller-revision-hash.
 */
export function computeHash(value: unknown, collisionCount?: number): string {
  const json = Buffer.from(JSON.stringify(normalizeValue(value) ?? {}), 'utf8');
  let bytes: Uint8Array = json;
  if (collisionCount !== undefined && collisionCount !== null) {
    const suffix = Buffer.alloc(4);
    suffix.writeUInt32LE(collisionCount >>> 0);
    bytes = Buffer.concat([json, suffix]);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}
