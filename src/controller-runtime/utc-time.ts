/**
 * UTC timestamps for API objects (metav1.Time, MicroTime) without Date.prototype.toISOString.
 *
 * Why: V8 (Node 20) computes the local time-zone offset inside toISOString even though the result
 * is UTC, and that offset comes from ICU: the first call loads ICU's time-zone code and zone data
 * (about 1 MiB of the node binary stays resident). A node agent stamps status, events and leases
 * all the time but never needs local time, so it formats from the getUTC* fields, which V8
 * computes without ICU. The output is byte-for-byte what toISOString returns.
 */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `new Date(ms).toISOString()`, without touching ICU; throws RangeError for an invalid time. */
export function utcISOString(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  // NaN, and the ±YYYYYY years toISOString writes outside 0000-9999: leave them to V8.
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const msec = d.getUTCMilliseconds();
  const y = year < 1000 ? String(year).padStart(4, '0') : String(year);
  return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${msec < 10 ? '00' : msec < 100 ? '0' : ''}${msec}Z`;
}

/** metav1.Time: RFC 3339 in UTC with whole seconds (`2024-05-01T10:00:00Z`). */
export function rfc3339Seconds(ms: number): string {
  return utcISOString(Math.floor(ms / 1000) * 1000).replace('.000Z', 'Z');
}
