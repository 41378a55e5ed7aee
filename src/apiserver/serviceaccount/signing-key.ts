/**
 * The data dir's service account keys, used when no --service-account-signing-key-file is given:
 * DATA_DIR/pki/service-account.key, the signing key (RSA 2048, PKCS#8 PEM, 0600; made on first
 * start and kept, as kubeadm's sa.key), and DATA_DIR/pki/service-account-previous.pub, the public
 * keys of signing keys retired by `bosun rotate-sa-key`, newest first: they still verify the
 * tokens they signed (kube-apiserver's extra --service-account-key-file entries) until removed.
 * Both files are replaced by rename, so a server starting meanwhile reads the old or the new one.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '../pki/private-file.js';
import { parsePrivateKeyPem, parsePublicKeysPem, type SigningKey, type VerifyKey } from './key-files.js';

export type { SigningKey } from './key-files.js';

export const SIGNING_KEY_FILE = 'service-account.key';
export const PREVIOUS_KEYS_FILE = 'service-account-previous.pub';

const pkiDir = (dataDir: string): string => join(dataDir, 'pki');
export const signingKeyPath = (dataDir: string): string => join(pkiDir(dataDir), SIGNING_KEY_FILE);
export const previousKeysPath = (dataDir: string): string => join(pkiDir(dataDir), PREVIOUS_KEYS_FILE);

const newKeyPem = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** Writes by rename: readers see the whole old file or the whole new one. */
function replaceFile(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writePrivateFile(tmp, data);
  renameSync(tmp, path);
}

/** Loads DATA_DIR/pki/service-account.key, creating it when missing. */
export function ensureSigningKey(dataDir: string): SigningKey {
  ensurePrivateDir(pkiDir(dataDir));
  const path = signingKeyPath(dataDir);
  if (existsSync(path)) tightenFile(path);
  else writePrivateFile(path, newKeyPem());
  try {
    return parsePrivateKeyPem(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`error reading private key file ${path}: ${(err as Error).message}`);
  }
}

/** The retired keys that still verify (none when the file is absent). */
export function previousKeys(dataDir: string): VerifyKey[] {
  const path = previousKeysPath(dataDir);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  if (!text.includes('-----BEGIN')) return [];
  try {
    return parsePublicKeysPem(text);
  } catch (err) {
    throw new Error(`error reading public key file ${path}: ${(err as Error).message}`);
  }
}

export interface Rotation {
  /** The key id that now only verifies. */
  retired: string;
  /** The key id new tokens will carry once the server restarts. */
  current: string;
  /** Retired keys kept, the one just retired first. */
  previous: string[];
}

/**
 * `bosun rotate-sa-key`: the signing key's public key goes first into the previous keys, then a new
 * signing key replaces it. Safe while a server runs: it keeps signing with the old key, which
 * verifies before and after its restart. A crash between the two steps leaves the old key both
 * current and previous, which only lists it twice.
 */
export function rotateSigningKey(dataDir: string, annotate = new Date().toISOString()): Rotation {
  if (!existsSync(signingKeyPath(dataDir))) throw new Error(`no service account signing key at ${signingKeyPath(dataDir)} (is ${dataDir} a server's data dir?)`);
  const old = ensureSigningKey(dataDir);
  const path = previousKeysPath(dataDir);
  const kept = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const pem = old.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  // Text outside PEM blocks is ignored by every PEM reader (upstream's pem.Decode too).
  replaceFile(path, `# kid ${old.kid}, retired ${annotate}\n${pem}${kept}`);
  replaceFile(signingKeyPath(dataDir), newKeyPem());
  const current = ensureSigningKey(dataDir);
  return { retired: old.kid, current: current.kid, previous: previousKeys(dataDir).map((k) => k.kid) };
}

/** `bosun rotate-sa-key --remove-previous`: the retired keys no longer verify after the next restart. */
export function removePreviousKeys(dataDir: string): string[] {
  const removed = previousKeys(dataDir).map((k) => k.kid);
  rmSync(previousKeysPath(dataDir), { force: true });
  return removed;
}
