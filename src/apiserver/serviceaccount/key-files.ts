/**
 * Service account keys read from PEM files, as kube-apiserver reads --service-account-key-file
 * (client-go keyutil.ParsePublicKeysPEM: every PEM block that holds an RSA or ECDSA public key,
 * private key or certificate counts, whatever its label; other blocks are skipped) and
 * --service-account-signing-key-file (keyutil.ParsePrivateKeyPEM: the first "RSA PRIVATE KEY",
 * "EC PRIVATE KEY" or "PRIVATE KEY" block). Each key's id is upstream's keyIDFromPublicKey
 * (pkg/serviceaccount/jwt.go): the unpadded base64url SHA-256 of the public key's PKIX DER; its
 * JWS algorithm is upstream's algorithmFromPublicKey (openidmetadata.go): RS256 for RSA, ES256,
 * ES384 or ES512 for ECDSA on P-256, P-384 or P-521. Unlike keyutil, a PKCS#8 ECDSA private key is
 * also accepted as a verification key (upstream only takes SEC1 there, though it signs with one).
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type SigningAlg = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** A key that verifies tokens (and is listed in /openid/v1/jwks). */
export interface VerifyKey {
  publicKey: KeyObject;
  kid: string;
  alg: SigningAlg;
}

/** The key new tokens are signed with. */
export interface SigningKey extends VerifyKey {
  privateKey: KeyObject;
}

const CURVE_ALGS: Record<string, SigningAlg> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** Upstream's keyIDFromPublicKey. */
export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');

/** Upstream's algorithmFromPublicKey; throws for other key types and curves. */
export function algorithmOf(publicKey: KeyObject): SigningAlg {
  if (publicKey.asymmetricKeyType === 'rsa') return 'RS256';
  if (publicKey.asymmetricKeyType === 'ec') {
    const alg = CURVE_ALGS[publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
    if (alg) return alg;
    throw new Error('unknown private key curve, must be 256, 384, or 521');
  }
  throw new Error(`unsupported key type ${publicKey.asymmetricKeyType ?? 'unknown'}, must be RSA or ECDSA`);
}

const verifyKey = (publicKey: KeyObject): VerifyKey => ({ publicKey, kid: keyIdOf(publicKey), alg: algorithmOf(publicKey) });

/** The PEM blocks of `text`, label and DER. */
function pemBlocks(text: string): Array<{ label: string; der: Buffer }> {
  const out: Array<{ label: string; der: Buffer }> = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    // Encrypted legacy PEM (Proc-Type headers) is not a key we can read: skipped as a non-key block.
    if (m[2]!.includes(':')) continue;
    out.push({ label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** The public key a DER block holds (any of keyutil's encodings), if it is RSA or ECDSA. */
function publicKeyOfDer(der: Buffer): KeyObject | undefined {
  const key = attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }))
    ?? attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
    ?? attempt(() => createPrivateKey({ key: der, format: 'der', type: 'sec1' }))
    ?? attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' }))
    ?? attempt(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }))
    ?? attempt(() => new X509Certificate(der).publicKey);
  if (!key || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec')) return undefined;
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** keyutil.ParsePublicKeysPEM: every RSA/ECDSA key of the text, in order. */
export function parsePublicKeysPem(text: string): VerifyKey[] {
  const keys = pemBlocks(text).map((b) => publicKeyOfDer(b.der)).filter((k): k is KeyObject => k !== undefined).map(verifyKey);
  if (keys.length === 0) throw new Error('data does not contain any valid RSA or ECDSA public keys');
  return keys;
}

const PRIVATE_TYPES: Record<string, 'pkcs1' | 'pkcs8' | 'sec1'> = { 'RSA PRIVATE KEY': 'pkcs1', 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1' };

/** keyutil.ParsePrivateKeyPEM: the first RSA or ECDSA private key block (others, e.g. EC PARAMETERS, skipped). */
export function parsePrivateKeyPem(text: string): SigningKey {
  for (const b of pemBlocks(text)) {
    const type = PRIVATE_TYPES[b.label];
    const privateKey = type && attempt(() => createPrivateKey({ key: b.der, format: 'der', type }));
    if (!privateKey || (privateKey.asymmetricKeyType !== 'rsa' && privateKey.asymmetricKeyType !== 'ec')) continue;
    return { privateKey, ...verifyKey(createPublicKey(privateKey)) };
  }
  throw new Error('data does not contain a valid RSA or ECDSA private key');
}

const readKeyFile = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
};

/** --service-account-key-file: the file's verification keys, or an error naming it. */
export function publicKeysFromFile(path: string): VerifyKey[] {
  const text = readKeyFile(path, 'service account key file');
  try {
    return parsePublicKeysPem(text);
  } catch (err) {
    throw new Error(`error reading public key file ${path}: ${(err as Error).message}`);
  }
}

/** --service-account-signing-key-file: the file's private key, or an error naming it. */
export function privateKeyFromFile(path: string): SigningKey {
  const text = readKeyFile(path, 'service account signing key file');
  try {
    return parsePrivateKeyPem(text);
  } catch (err) {
    throw new Error(`error reading private key file ${path}: ${(err as Error).message}`);
  }
}
