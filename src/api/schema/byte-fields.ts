/**
 * Fields of OpenAPI format `byte` ([]byte in Go: Secret data, ConfigMap binaryData, webhook and
 * APIService caBundle, CSR request) travel as standard base64 and are decoded with the rest of the
 * body, so upstream refuses a value that is not base64 while decoding, before any validation: 400
 * `<Kind> in version "v1" cannot be handled as a <Kind>: illegal base64 data at input byte N`, with
 * N as Go's encoding/base64 StdEncoding reports it (the first character outside the alphabet, or
 * where an incomplete or wrongly padded final group starts; `\r` and `\n` are skipped).
 */
import type { Node } from './types.js';
import { isPlainObject } from './walk.js';

const ALPHABET = /[A-Za-z0-9+/]/;

/** Go's error text for `s`, or undefined when StdEncoding decodes it. */
export function base64Error(s: string): string | undefined {
  let group = 0; // characters in the current 4-character group
  let groupStart = 0;
  let padding = -1; // index of the first '=' of the final group
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r' || c === '\n') continue;
    if (padding >= 0) {
      // After a first '=' (two characters in), only the '=' that completes the group may follow;
      // Go reports anything else at the first '='.
      if (c !== '=' || group !== 3) return at(padding);
      group = 0;
      padding = -2;
      continue;
    }
    if (padding === -2) return at(i);
    if (c === '=') {
      if (group < 2) return at(i);
      if (group === 3) {
        group = 0;
        padding = -2;
      } else {
        padding = i;
        group++;
      }
      continue;
    }
    if (!ALPHABET.test(c)) return at(i);
    if (group === 0) groupStart = i;
    group = (group + 1) % 4;
  }
  if (padding >= 0) return at(s.length);
  if (group !== 0) return at(groupStart);
  return undefined;
}

const at = (i: number): string => `illegal base64 data at input byte ${i}`;

/** The first `byte` field of `value` (walked by `node`) that does not decode, as Go's decoder words it. */
export function firstByteFieldError(node: Node, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (node.type) {
    case 'string':
      return node.format === 'byte' && typeof value === 'string' ? base64Error(value) : undefined;
    case 'array':
      if (!Array.isArray(value)) return undefined;
      for (const v of value) {
        const e = firstByteFieldError(node.items, v);
        if (e) return e;
      }
      return undefined;
    case 'map':
      if (!isPlainObject(value)) return undefined;
      for (const k in value) {
        const e = firstByteFieldError(node.values, value[k]);
        if (e) return e;
      }
      return undefined;
    case 'object': {
      if (!isPlainObject(value)) return undefined;
      const props = node.props as Record<string, Node>;
      for (const k in value) {
        const p = props[k];
        const e = p ? firstByteFieldError(p, value[k]) : undefined;
        if (e) return e;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
