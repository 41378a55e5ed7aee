/**
 * Renewal of the API server's own certificates while it runs (a server up for more than nine months
 * would otherwise serve an expired certificate): once a day, the PKI is loaded again through
 * ensurePki, which reissues the serving and admin certificates within 90 days of expiry from the
 * same CA. A new serving certificate goes into the listener's TLS context at once (new connections
 * get it, open ones keep theirs: no restart, no dropped watch), a new admin certificate into the
 * admin kubeconfig, and both to whoever registered (the control plane's own client). The CA is
 * not renewed: within 90 days of its expiry, at start and daily, the server warns and points at
 * the rotation procedure (docs/certificates.md).
 */
import type { Server } from 'node:https';
import { writeKubeconfig } from './kubeconfig.js';
import { ensurePki, type Pki } from './pki.js';
import { needsRenewal } from './renewal.js';

export const RENEWAL_CHECK_MS = 24 * 60 * 60 * 1000;

export interface CertRenewerOptions {
  dataDir: string;
  extraSans: string[];
  /** The PKI in use; updated in place when something is renewed. */
  pki: Pki;
  server: Server;
  kubeconfig: { path: string; server: string };
  periodMs?: number;
  /** Where the CA-expiry warning goes (default: stderr). */
  warn?: (msg: string) => void;
}

export interface CertRenewer {
  /** Checks now (at `now`, ms since the epoch); true when a certificate was renewed. */
  renew(now?: number): boolean;
  /** Called with the PKI after each renewal. */
  onRenewed(cb: (pki: Pki) => void): void;
  stop(): void;
}

export function startCertRenewer(o: CertRenewerOptions): CertRenewer {
  const listeners: Array<(pki: Pki) => void> = [];
  const warn = o.warn ?? ((m: string) => console.error(`bosun: ${m}`));
  const checkCa = (ca: string, now: number): void => {
    if (needsRenewal(ca, now)) warn(`the cluster CA (${o.pki.dir}/ca.crt) expires within 90 days; rotate it as docs/certificates.md describes`);
  };
  checkCa(o.pki.ca.cert, Date.now());
  const renew = (now = Date.now()): boolean => {
    const fresh = ensurePki(o.dataDir, o.extraSans, now);
    checkCa(fresh.ca.cert, now);
    const servingChanged = fresh.server.cert !== o.pki.server.cert;
    const adminChanged = fresh.admin.cert !== o.pki.admin.cert;
    Object.assign(o.pki, fresh);
    if (servingChanged) o.server.setSecureContext({ cert: fresh.server.cert, key: fresh.server.key, ca: fresh.ca.cert });
    if (adminChanged) writeKubeconfig(o.kubeconfig.path, { server: o.kubeconfig.server, caCert: fresh.ca.cert, client: fresh.admin });
    if (!servingChanged && !adminChanged) return false;
    for (const cb of listeners) cb(o.pki);
    return true;
  };
  const timer = setInterval(() => {
    try {
      renew();
    } catch (err) {
      console.error('bosun: certificate renewal failed (retried tomorrow):', err);
    }
  }, o.periodMs ?? RENEWAL_CHECK_MS);
  timer.unref();
  return {
    renew,
    onRenewed: (cb) => listeners.push(cb),
    stop: () => clearInterval(timer),
  };
}
