/**
 * The service account token signing key: an RSA key in DATA_DIR/pki/service-account.key, made on
 * first start and kept (kube-apiserver's --service-account-signing-key-file, kubeadm's sa.key).
 * Its key id is upstream's keyIDFromPublicKey: the unpadded base64url SHA-256 of the public key's
 * PKIX DER, so verifiers that cache JWKS by kid behave as with a kube-apiserver.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '../pki/private-file.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export const SIGNING_KEY_FILE = 'service-account.key';

/** Loads DATA_DIR/pki/service-account.key, creating it (RSA 2048, PKCS#8 PEM, 0600) when missing. */
export function ensureSigningKey(dataDir: string): SigningKey {
  const dir = join(dataDir, 'pki');
  ensurePrivateDir(dir);
  const path = join(dir, SIGNING_KEY_FILE);
  let pem: string;
  if (existsSync(path)) {
    tightenFile(path);
    pem = readFileSync(path, 'utf8');
  } else {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writePrivateFile(path, pem);
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey, kid: createHash('sha256').update(der).digest('base64url') };
}
