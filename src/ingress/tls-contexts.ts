/**
 * The certificates of the https port, chosen by SNI from the handled Ingresses' spec.tls: each
 * entry's hosts (precise, or `*.example.com` matching one label) are served with the Secret
 * spec.tls[].secretName names in the Ingress's namespace, which must be a kubernetes.io/tls Secret
 * (data tls.crt and tls.key, PEM). A name with no usable certificate (a TLS host whose Secret is
 * missing or broken, a host in no spec.tls, no SNI at all) gets the default certificate, as
 * ingress-nginx: the Secret its --default-ssl-certificate names (here `defaultCertificate`) when that
 * parses, else the self-signed one generated at start (self-signed.ts). A Secret that does not parse
 * is skipped and logged. The first Ingress (oldest) to claim a host keeps it.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from '../api/kinds/core/secret.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import type { Logger } from '../controller-runtime/log.js';
import { hostMatches } from './routes.js';
import { fakeCertificate } from './self-signed.js';

export type SecretLookup = (namespace: string, name: string) => Readonly<Secret> | undefined;

export class TlsContexts {
  private entries: { host: string; context: SecureContext }[] = [];
  /** Parsed contexts by secret uid+resourceVersion, so a rebuild parses only changed Secrets. */
  private cache = new Map<string, SecureContext>();
  private readonly fake = fakeCertificate();
  private readonly fakeContext = createSecureContext(this.fake);
  private defaultContext: SecureContext | undefined;
  /** The default certificate, PEM: the https server's own, which clients without SNI get. */
  defaultPem: { cert: string; key: string } = this.fake;

  /** `defaultCertificate`: "namespace/name" of a kubernetes.io/tls Secret (--default-ssl-certificate). */
  constructor(private readonly log: Logger, private readonly defaultCertificate?: string) {}

  /** Recomputes from `ingresses` (oldest first) and the Secrets `lookup` finds. */
  rebuild(ingresses: readonly Readonly<Ingress>[], lookup: SecretLookup): void {
    const entries: { host: string; context: SecureContext }[] = [];
    const cache = new Map<string, SecureContext>();
    const [defNs, defName] = (this.defaultCertificate ?? '').split('/');
    const defSecret = defNs && defName ? lookup(defNs, defName) : undefined;
    const defContext = defSecret && this.contextOf(defSecret, cache);
    if (defSecret && defContext) {
      this.defaultContext = defContext;
      this.defaultPem = { cert: Buffer.from(defSecret.data!['tls.crt']!, 'base64').toString(), key: Buffer.from(defSecret.data!['tls.key']!, 'base64').toString() };
    } else {
      if (this.defaultCertificate && this.defaultContext !== this.fakeContext) this.log.warn({ secret: this.defaultCertificate }, 'default ingress certificate not found or not usable: serving the self-signed one');
      this.defaultContext = this.fakeContext;
      this.defaultPem = this.fake;
    }
    const claimed = new Set<string>();
    for (const ing of ingresses) {
      const ns = ing.metadata.namespace ?? 'default';
      for (const t of ing.spec?.tls ?? []) {
        if (!t.secretName) continue;
        const secret = lookup(ns, t.secretName);
        const context = secret && this.contextOf(secret, cache);
        if (!context) continue;
        for (const h of t.hosts ?? []) {
          const host = h.toLowerCase();
          if (claimed.has(host)) continue;
          claimed.add(host);
          entries.push({ host, context });
        }
      }
    }
    // Precise names before wildcards, as SNI lookups prefer the exact certificate.
    entries.sort((a, b) => Number(a.host.startsWith('*.')) - Number(b.host.startsWith('*.')));
    this.entries = entries;
    this.cache = cache;
  }

  /** The context for an SNI server name: its Ingress's certificate, else the default one. */
  forServerName(name: string): SecureContext {
    const host = name.toLowerCase();
    return this.entries.find((e) => hostMatches(e.host, host))?.context ?? this.defaultContext ?? this.fakeContext;
  }

  private contextOf(secret: Readonly<Secret>, next: Map<string, SecureContext>): SecureContext | undefined {
    const key = `${secret.metadata.uid ?? ''}@${secret.metadata.resourceVersion ?? ''}`;
    const known = next.get(key) ?? this.cache.get(key);
    if (known) {
      next.set(key, known);
      return known;
    }
    const id = `${secret.metadata.namespace ?? ''}/${secret.metadata.name ?? ''}`;
    if (secret.type !== 'kubernetes.io/tls') {
      this.log.warn({ secret: id, type: secret.type }, 'ingress TLS secret is not of type kubernetes.io/tls');
      return undefined;
    }
    const cert = secret.data?.['tls.crt'];
    const key64 = secret.data?.['tls.key'];
    if (!cert || !key64) return undefined;
    try {
      const context = createSecureContext({ cert: Buffer.from(cert, 'base64'), key: Buffer.from(key64, 'base64') });
      next.set(key, context);
      return context;
    } catch (err) {
      this.log.warn({ secret: id, err: String(err) }, 'ingress TLS secret does not hold a usable certificate and key');
      return undefined;
    }
  }
}
