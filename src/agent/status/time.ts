import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';

/** metav1.Time: RFC 3339 with whole seconds. */
export function rfc3339(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  return rfc3339Seconds(ms);
}
