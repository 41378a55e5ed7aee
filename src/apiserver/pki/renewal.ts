/**
 * When a certificate is renewed: within 90 days of its expiry (or after it), as k3s renews its
 * component certificates at start ("certificates within 90 days of expiration are renewed").
 */
import { X509Certificate } from 'node:crypto';

export const RENEW_WITHIN_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether `certPem` expires within `days` of `now` (or has expired, or cannot be read). */
export function needsRenewal(certPem: string, now = Date.now(), days = RENEW_WITHIN_DAYS): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() - now < days * DAY_MS;
  } catch {
    return true;
  }
}
