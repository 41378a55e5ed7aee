/**
 * Fields of OpenAPI format `byte` ([]byte in Go: Secret data, ConfigMap binaryData, webhook and
 * APIService caBundle, CSR request) travel as standard base64 and are decoded with the rest of the
 * body, so upstream refuses a value that is not base64 while decoding, before any validation: 400
 * `<Kind> in version "v1" cannot be handled as a <Kind>: illegal base64 data at input byte N`, with
 * N as Go's encoding/base64 StdEncoding reports it (the first character outside the alphabet, or
 * where an incomplete or wrongly padded final group starts; `\r` and `\n` are skipped).
 */
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
