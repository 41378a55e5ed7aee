/**
 * Duplicate keys of a JSON request body, which JSON.parse silently resolves to the last one: upstream's
 * strict decoder (sigs.k8s.io/json UnmarshalStrict) reports each as `duplicate field "spec.replicas"`,
 * an error under fieldValidation=Strict and a warning under Warn. The body has already parsed, so
 * this scan only walks keys (jumping over strings and scalars); a path is built only for a repeat,
 * as upstream prints it (`a.b`, `a[0].b`).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Keys in the decoded value, at every depth. */
function keyCount(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += keyCount(x);
    return n;
  }
  for (const k in v as Record<string, unknown>) n += 1 + keyCount((v as Record<string, unknown>)[k]);
  return n;
}

/** A closing quote and the colon after it (JSON whitespace allowed between): where each key ends. */
const KEY_MARK = /"[ \t\r\n]*:/g;

/**
 * False when `text` (which decoded to `value`) surely repeats no key, at a fraction of the cost of
 * the scan: each key in the text ends in a KEY_MARK, so the text holds at least as many marks as
 * the value has keys, and exactly as many unless a key repeats (JSON.parse kept one) or a string
 * value holds a mark too, when the scan decides.
 */
export function mayRepeatKeys(text: string, value: unknown): boolean {
  const marks = text.match(KEY_MARK)?.length ?? 0;
  return marks !== keyCount(value);
}

/** The paths of every repeated key, in order of the repeats; [] for most bodies. */
export function duplicateFields(text: string): string[] {
  const dups: string[] = [];
  /** Keys and array indexes down to the value being read. */
  const path: (string | number)[] = [];
  let i = 0;
  const skipWs = (): void => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  };
  /** Reads the string at i (a quote), returning its raw text between the quotes. */
  const readString = (): string => {
    const start = i + 1;
    let end = text.indexOf('"', start);
    // A quote preceded by an odd run of backslashes is escaped.
    for (;;) {
      let b = 0;
      while (text.charCodeAt(end - 1 - b) === BACKSLASH) b++;
      if (b % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    i = end + 1;
    return text.slice(start, end);
  };
  const name = (): string => path.map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? p : `.${p}`)).join('');
  const value = (): void => {
    skipWs();
    const c = text.charCodeAt(i);
    if (c === 0x7b) { // {
      i++;
      let keys: Set<string> | undefined;
      let first: string | undefined;
      for (;;) {
        skipWs();
        if (text.charCodeAt(i) === 0x7d) break;
        const raw = readString();
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        // Most objects are small: a set only from the second key on.
        let repeat = false;
        if (first === undefined) first = key;
        else {
          keys ??= new Set([first]);
          repeat = keys.has(key);
          keys.add(key);
        }
        path.push(key);
        if (repeat) dups.push(name());
        skipWs();
        i++; // :
        value();
        path.pop();
        skipWs();
        if (text.charCodeAt(i) === 0x2c) i++;
      }
      i++;
    } else if (c === 0x5b) { // [
      i++;
      for (let n = 0; ; n++) {
        skipWs();
        if (text.charCodeAt(i) === 0x5d) break;
        path.push(n);
        value();
        path.pop();
        skipWs();
        if (text.charCodeAt(i) === 0x2c) i++;
      }
      i++;
    } else if (c === QUOTE) {
      readString();
    } else {
      // A number, true, false or null: up to the next delimiter.
      for (let d = text.charCodeAt(i); i < text.length && d !== 0x2c && d !== 0x7d && d !== 0x5d && d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09; d = text.charCodeAt(++i));
    }
  };
  value();
  return dups;
}
