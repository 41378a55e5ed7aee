/**
 * The cluster's PKI in DATA_DIR/pki: a CA, the API server's serving certificate and the admin client
 * certificate (CN=system:admin, O=system:masters). Created on first start and reused afterwards; the
 * serving certificate is reissued (by the same CA) when the host's names or addresses change, and
 * both leaf certificates when they expire within 90 days (renewal.ts), as k3s does at start; a
 * running server checks again daily (server.ts). The CA (10 years) is never replaced here: rotating
 * it is an operator's procedure (docs/certificates.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { kubernetesServiceIP } from '../../api/defaults.js';
import { issueCertificate, type KeyPair } from './certs.js';
import { ensurePrivateDir, tightenFile, writePrivateFile } from './private-file.js';
import { needsRenewal } from './renewal.js';

export interface Pki {
  ca: KeyPair;
  server: KeyPair;
  admin: KeyPair;
  dir: string;
}

const CA_DAYS = 3650;
const LEAF_DAYS = 365;

/** Names and addresses the serving certificate covers. */
export function servingSans(extra: string[] = []): { dnsNames: string[]; ips: string[] } {
  const dnsNames = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  // kubernetes.default's ClusterIP in the default range; another range's comes in `extra`.
  const ips = new Set(['127.0.0.1', '::1', kubernetesServiceIP()]);
  dnsNames.add(hostname());
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.address.startsWith('fe80')) ips.add(a.address);
  }
  for (const e of extra) (/^[\d.]+$|:/.test(e) ? ips : dnsNames).add(e);
  return { dnsNames: [...dnsNames].sort(), ips: [...ips].sort() };
}

export function readPair(dir: string, name: string): KeyPair | undefined {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  tightenFile(c);
  tightenFile(k);
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}

export function writePair(dir: string, name: string, pair: KeyPair): void {
  writePrivateFile(join(dir, `${name}.crt`), pair.cert);
  writePrivateFile(join(dir, `${name}.key`), pair.key);
}

/** Loads the PKI from `dataDir/pki`, creating whatever is missing. */
export function ensurePki(dataDir: string, extraSans: string[] = [], now = Date.now()): Pki {
  const dir = join(dataDir, 'pki');
  ensurePrivateDir(dir);
  let ca = readPair(dir, 'ca');
  let fresh = false;
  if (!ca) {
    ca = issueCertificate({ commonName: 'bosun-ca', usage: 'ca', validDays: CA_DAYS });
    writePair(dir, 'ca', ca);
    fresh = true;
  }
  const sans = servingSans(extraSans);
  const sansFile = join(dir, 'server.sans.json');
  const sansJson = JSON.stringify(sans);
  let server = fresh ? undefined : readPair(dir, 'server');
  if (!server || !existsSync(sansFile) || readFileSync(sansFile, 'utf8') !== sansJson || needsRenewal(server.cert, now)) {
    server = issueCertificate({ commonName: 'kube-apiserver', usage: 'server', validDays: LEAF_DAYS, ...sans }, ca);
    writePair(dir, 'server', server);
    writePrivateFile(sansFile, sansJson);
  }
  let admin = fresh ? undefined : readPair(dir, 'admin');
  if (!admin || needsRenewal(admin.cert, now)) {
    admin = issueCertificate({ commonName: 'system:admin', organizations: ['system:masters'], usage: 'client', validDays: LEAF_DAYS }, ca);
    writePair(dir, 'admin', admin);
  }
  return { ca, server, admin, dir };
}

/** Issues a client certificate from the cluster CA (for node agents and tests). */
export function issueClientCertificate(pki: Pki, user: string, groups: string[] = []): KeyPair {
  return issueCertificate({ commonName: user, organizations: groups, usage: 'client', validDays: LEAF_DAYS }, pki.ca);
}
