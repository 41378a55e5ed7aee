/**
 * The string functions of cel-go's ext.Strings (version 2, as k8s.io/apiserver/pkg/cel/environment
 * enables) that cel-js lacks: charAt, replace, strings.quote and format. cel-js already has
 * indexOf, lastIndexOf, lowerAscii, upperAscii, split, join, substring and trim.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { formatString } from './format.js';

/** Go's strings.Replace: the first `n` (all when negative) non-overlapping `from` become `to`. */
function replace(s: string, from: string, to: string, n: bigint): string {
  if (from === to || n === 0n) return s;
  const matches = from === '' ? [...s].length + 1 : s.split(from).length - 1;
  const k = n < 0n || BigInt(matches) < n ? matches : Number(n);
  let out = '';
  let start = 0;
  for (let i = 0; i < k; i++) {
    let j = start;
    if (from !== '') j = s.indexOf(from, start);
    else if (i > 0) j += s.codePointAt(start)! > 0xffff ? 2 : 1;
    out += s.slice(start, j) + to;
    start = j + from.length;
  }
  return out + s.slice(start);
}

/** strings.quote: a double-quoted CEL string literal of `s`. */
function quote(s: string): string {
  const esc: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a' };
  return `"${[...s].map((c) => esc[c] ?? c).join('')}"`;
}

class StringsNamespace {}

export function registerStringsLibrary(env: Environment): void {
  env
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      if (i < 0n || i > BigInt(s.length)) throw new Error(`index out of range: ${i}`);
      return s.charAt(Number(i));
    })
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => replace(s, a, b, -1n))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => replace(s, a, b, n))
    .registerFunction('string.format(list): string', (s: string, args: unknown[]) => formatString(s, args))
    .registerType('StringsNamespace', StringsNamespace)
    .registerConstant('strings', 'StringsNamespace', new StringsNamespace())
    .registerFunction('StringsNamespace.quote(string): string', (_ns: unknown, s: string) => quote(s));
}
