/** metav1.Time: RFC 3339 with whole seconds. */
export function rfc3339(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
