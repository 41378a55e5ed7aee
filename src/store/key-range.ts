/**
 * Prefix ranges over keys. Keys are compared as plain strings (UTF-16 code units in JS, UTF-8 bytes
 * in SQLite); the two orders agree for the ASCII keys the API server writes.
 */

/** Upper bound (exclusive) of the keys starting with `prefix`; a sentinel above every ASCII key for ''. */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\uffff';
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** The '/'-terminated prefixes of a key, shortest first, including ''. `/a/b` -> ['', '/', '/a/']. */
export function slashPrefixes(key: string): string[] {
  const out = [''];
  for (let i = key.indexOf('/'); i !== -1; i = key.indexOf('/', i + 1)) out.push(key.slice(0, i + 1));
  return out;
}
