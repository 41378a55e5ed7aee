/**
 * The value transformers of an EncryptionConfiguration, byte for byte as upstream's
 * (staging/src/k8s.io/apiserver/pkg/storage/value/encrypt/{aes,secretbox,identity}):
 * - aescbc: `k8s:enc:aescbc:v1:<key>:` + 16-byte IV + AES-CBC ciphertext with PKCS#7 padding;
 * - aesgcm: `k8s:enc:aesgcm:v1:<key>:` + 12-byte nonce + AES-GCM ciphertext and 16-byte tag, the
 *   store key as additional authenticated data (a value copied under another key does not open);
 * - secretbox: `k8s:enc:secretbox:v1:<key>:` + 24-byte nonce + NaCl secretbox (XSalsa20-Poly1305);
 * - identity: the plain value, no prefix.
 * Our store holds text, so the bytes after the prefix are kept base64-encoded; the prefix stays
 * readable (`k8s:enc:aescbc:v1:key1:`) as upstream's, for an operator looking at the store.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

export type ProviderKind = 'aescbc' | 'aesgcm' | 'secretbox' | 'identity';

/** One (provider, key) pair: what a stored value's prefix selects. */
export interface Transformer {
  /** `k8s:enc:aescbc:v1:key1:`; '' for identity. */
  prefix: string;
  kind: ProviderKind;
  /** The key's name (undefined for identity). */
  keyName?: string;
  /** Plaintext to the value after the prefix. `context` is the store key. */
  seal(plain: Buffer, context: string): string;
  /** The part after the prefix back to plaintext; throws when the key does not open it. */
  open(sealed: string, context: string): Buffer;
}

const AES_CBC_IV = 16;
const AES_GCM_NONCE = 12;
const AES_GCM_TAG = 16;

function aesAlgorithm<M extends 'cbc' | 'gcm'>(mode: M, key: Buffer): `aes-${128 | 192 | 256}-${M}` {
  return `aes-${(key.length * 8) as 128 | 192 | 256}-${mode}`;
}

function aescbc(name: string, key: Buffer): Transformer {
  const algorithm = aesAlgorithm('cbc', key);
  return {
    prefix: `k8s:enc:aescbc:v1:${name}:`, kind: 'aescbc', keyName: name,
    seal(plain) {
      const iv = randomBytes(AES_CBC_IV);
      const c = createCipheriv(algorithm, key, iv); // PKCS#7 padding is node's default, as upstream pads
      return Buffer.concat([iv, c.update(plain), c.final()]).toString('base64');
    },
    open(sealed) {
      const data = Buffer.from(sealed, 'base64');
      if (data.length < AES_CBC_IV * 2 || data.length % AES_CBC_IV !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algorithm, key, data.subarray(0, AES_CBC_IV));
      return Buffer.concat([d.update(data.subarray(AES_CBC_IV)), d.final()]);
    },
  };
}

function aesgcm(name: string, key: Buffer): Transformer {
  const algorithm = aesAlgorithm('gcm', key);
  return {
    prefix: `k8s:enc:aesgcm:v1:${name}:`, kind: 'aesgcm', keyName: name,
    seal(plain, context) {
      const nonce = randomBytes(AES_GCM_NONCE);
      const c = createCipheriv(algorithm, key, nonce, { authTagLength: AES_GCM_TAG });
      c.setAAD(Buffer.from(context));
      return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]).toString('base64');
    },
    open(sealed, context) {
      const data = Buffer.from(sealed, 'base64');
      if (data.length < AES_GCM_NONCE + AES_GCM_TAG) throw new Error('the stored data was shorter than the required size');
      const d = createDecipheriv(algorithm, key, data.subarray(0, AES_GCM_NONCE), { authTagLength: AES_GCM_TAG });
      d.setAAD(Buffer.from(context));
      d.setAuthTag(data.subarray(data.length - AES_GCM_TAG));
      return Buffer.concat([d.update(data.subarray(AES_GCM_NONCE, data.length - AES_GCM_TAG)), d.final()]);
    },
  };
}

function secretbox(name: string, key: Buffer): Transformer {
  const k = new Uint8Array(key);
  return {
    prefix: `k8s:enc:secretbox:v1:${name}:`, kind: 'secretbox', keyName: name,
    seal(plain) {
      const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
      return Buffer.concat([nonce, nacl.secretbox(new Uint8Array(plain), nonce, k)]).toString('base64');
    },
    open(sealed) {
      const data = new Uint8Array(Buffer.from(sealed, 'base64'));
      if (data.length < nacl.secretbox.nonceLength) throw new Error('the stored data was shorter than the required size');
      const plain = nacl.secretbox.open(data.subarray(nacl.secretbox.nonceLength), data.subarray(0, nacl.secretbox.nonceLength), k);
      if (!plain) throw new Error('output array was not large enough for encryption');
      return Buffer.from(plain);
    },
  };
}

/** The identity provider: no prefix; refuses values that look encrypted (as upstream's identity transformer). */
export const identity: Transformer = {
  prefix: '', kind: 'identity',
  seal: (plain) => plain.toString('utf8'),
  open(sealed) {
    if (sealed.startsWith('k8s:enc:')) throw new Error('identity transformer tried to read encrypted data');
    return Buffer.from(sealed, 'utf8');
  },
};

/** A transformer for one key of an encrypting provider. */
export function keyTransformer(kind: Exclude<ProviderKind, 'identity'>, name: string, key: Buffer): Transformer {
  if (kind === 'aescbc') return aescbc(name, key);
  if (kind === 'aesgcm') return aesgcm(name, key);
  return secretbox(name, key);
}
