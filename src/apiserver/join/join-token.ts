/**
 * The cluster join token, in k3s's secure format `K10<sha256 of the CA bundle>::server:<secret>`.
 * The hash pins the CA an agent must see at GET /cacerts before it trusts the server (as k3s and
 * kubeadm's --discovery-token-ca-cert-hash do); the secret authenticates the credential request.
 * Kept in DATA_DIR/token (mode 0600) and reused across restarts; the hash follows the CA.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tightenFile, writePrivateFile } from '../pki/private-file.js';

export interface JoinToken {
  /** The full token to hand to `bosun agent --token`. */
  token: string;
  /** The part after `::server:`, checked on POST /bosun/v1/node-credentials. */
  secret: string;
  /** sha256 (hex) of the CA bundle served at /cacerts. */
  caHash: string;
  path: string;
}

export const TOKEN_FILE = 'token';

/** sha256 hex of the exact bytes GET /cacerts serves. */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem, 'utf8').digest('hex');
}

export function formatJoinToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

/** The secret of a stored token (either full format or a bare secret), undefined if unusable. */
function storedSecret(text: string): string | undefined {
  const t = text.trim();
  const m = /^K10[0-9a-f]{64}::[^:]+:(.+)$/.exec(t);
  const secret = m ? m[1]! : t;
  return /^[A-Za-z0-9._~-]{16,}$/.test(secret) ? secret : undefined;
}

/** Loads DATA_DIR/token, creating a random secret the first time; rewrites it if the CA changed. */
export function ensureJoinToken(dataDir: string, caPem: string): JoinToken {
  const path = join(dataDir, TOKEN_FILE);
  const existing = existsSync(path) ? storedSecret(readFileSync(path, 'utf8')) : undefined;
  const secret = existing ?? randomBytes(24).toString('hex');
  const token = formatJoinToken(caPem, secret);
  if (!existsSync(path) || readFileSync(path, 'utf8').trim() !== token) writePrivateFile(path, `${token}\n`);
  else tightenFile(path);
  return { token, secret, caHash: caHash(caPem), path };
}
