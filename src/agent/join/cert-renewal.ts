/**
 * Renewal of a node's certificates while it runs: its client certificate (the API credential) and
 * its agent server's serving certificate, once a day, when either expires within 90 days (k3s's
 * window). `renew` gets new ones (a joined agent joins again with its token and node password;
 * the server's own node issues them from the CA) and `apply` hands them to the running API client
 * and agent server, which use them for new connections: nothing restarts, no watch drops, and the
 * old certificates, still valid, serve the connections already open.
 */
import { X509Certificate } from 'node:crypto';

export interface KeyPair { cert: string; key: string }

export interface NodeCertificates {
  client: KeyPair;
  serving: KeyPair;
  caCert: string;
  /** The service proxy's and the cluster DNS's own client certificates (node-credentials.ts). */
  proxy: KeyPair;
  dns: KeyPair;
  /** The Ingress controller's, on nodes that run it (--ingress-http-port / --ingress-https-port). */
  ingress?: KeyPair;
}

export interface CertRenewalOptions {
  /** The certificates in use. */
  current: NodeCertificates;
  /** Aborted by stop(): a renewal waiting out an unreachable server (join retries) gives up. */
  renew(signal: AbortSignal): Promise<NodeCertificates>;
  apply(certs: NodeCertificates): void;
  /** Default one day. */
  periodMs?: number;
  /** Default 90. */
  windowDays?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

export interface CertRenewal {
  /** Checks now; true when the certificates were renewed. */
  check(): Promise<boolean>;
  stop(): void;
}

/** What takes renewed certificates: API clients and the agent server (structural, to keep this file free of them). */
export interface CertificateUsers {
  client: { setClientCertificate(cert: string, key: string): void };
  proxy: { setClientCertificate(cert: string, key: string): void };
  dns: { setClientCertificate(cert: string, key: string): void };
  /** The Ingress controller's client, on nodes that run it. */
  ingress?: { setClientCertificate(cert: string, key: string): void };
  server?: { setTls(tls: { cert: string; key: string; clientCa: string }): void };
}

/**
 * The `apply` of a node (joined agent or the server's own): each certificate to its user, for new
 * connections. A node running the Ingress controller asked for its certificate again (the join's
 * `ingress`), so a renewal always carries one for it.
 */
export function applyTo(users: CertificateUsers): (c: NodeCertificates) => void {
  return (c) => {
    users.client.setClientCertificate(c.client.cert, c.client.key);
    users.proxy.setClientCertificate(c.proxy.cert, c.proxy.key);
    users.dns.setClientCertificate(c.dns.cert, c.dns.key);
    if (c.ingress) users.ingress?.setClientCertificate(c.ingress.cert, c.ingress.key);
    users.server?.setTls({ cert: c.serving.cert, key: c.serving.key, clientCa: c.caCert });
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether `certPem` expires within `days` of `now` (unreadable counts as expiring). */
export function expiresWithin(certPem: string, days: number, now: number): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() - now < days * DAY_MS;
  } catch {
    return true;
  }
}

export function startCertRenewal(o: CertRenewalOptions): CertRenewal {
  let current = o.current;
  const now = o.now ?? Date.now;
  const window = o.windowDays ?? 90;
  let running: Promise<boolean> | undefined;
  const stopped = new AbortController();
  const renewNow = async (): Promise<boolean> => {
    if (!expiresWithin(current.client.cert, window, now()) && !expiresWithin(current.serving.cert, window, now())) return false;
    const fresh = await o.renew(stopped.signal);
    o.apply(fresh);
    current = fresh;
    o.log?.(`node certificates renewed (valid until ${new X509Certificate(fresh.client.cert).validTo})`);
    return true;
  };
  // One check at a time; the next one starts after it settles.
  const check = (): Promise<boolean> => {
    if (running) return running;
    const p = renewNow().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  const timer = setInterval(() => {
    check().catch((err: unknown) => o.log?.(`node certificate renewal failed (retried in a day): ${(err as Error).message}`));
  }, o.periodMs ?? DAY_MS);
  timer.unref();
  return {
    check,
    stop: () => {
      clearInterval(timer);
      stopped.abort();
    },
  };
}
