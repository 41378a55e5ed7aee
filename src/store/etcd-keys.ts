/**
 * Key namespacing and value decoding between Bosun keys and etcd's byte keys. Every Bosun key is
 * stored as `namespace + key` (UTF-8), so several stores (or test cases) can share one etcd; ranges
 * are byte ranges, which for UTF-8 is code point order, the order the other backends use for the
 * ASCII keys the API server writes.
 */
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from './types.js';

export class EtcdKeys {
  private readonly ns: Buffer;

  constructor(namespace: string) {
    this.ns = Buffer.from(namespace, 'utf8');
  }

  /** The etcd key of a Bosun key. */
  key(key: string): Buffer {
    return Buffer.concat([this.ns, Buffer.from(key, 'utf8')]);
  }

  /** [start, end) of the etcd keys under a Bosun prefix ('' = the whole namespace). */
  prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.key(prefix);
    return { key: key.length === 0 ? Buffer.from([0]) : key, range_end: rangeEnd(key) };
  }

  /** The keys under prefix strictly after `afterKey` (which must itself be under prefix). */
  rangeAfter(prefix: string, afterKey: string | undefined): { key: Buffer; range_end: Buffer } {
    const r = this.prefixRange(prefix);
    if (afterKey === undefined) return r;
    // The smallest key greater than afterKey is afterKey + '\0'.
    const after = Buffer.concat([this.key(afterKey), Buffer.from([0])]);
    return { key: Buffer.compare(after, r.key) > 0 ? after : r.key, range_end: r.range_end };
  }

  /** Strip the namespace from an etcd key. */
  unkey(key: Buffer): string {
    return key.subarray(this.ns.length).toString('utf8');
  }

  /** An etcd KeyValue as a Bosun KeyValue (revisions arrive as decimal strings). */
  kv(kv: IKeyValue): KeyValue {
    return {
      key: this.unkey(kv.key),
      value: kv.value.toString('utf8'),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }
}

/**
 * etcd's prefix end: the key with its last byte below 0xff incremented and the rest dropped; a
 * key of all 0xff bytes (or the empty key) has no end, which etcd spells "\0" (= to the last key).
 */
export function rangeEnd(key: Buffer): Buffer {
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
