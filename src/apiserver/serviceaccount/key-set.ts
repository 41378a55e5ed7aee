/**
 * Which key signs service account tokens and which keys verify them, from `bosun server`'s
 * --service-account-signing-key-file and --service-account-key-file (repeatable) as
 * kube-apiserver's flags of those names, or the data dir's keys (signing-key.ts) when not given:
 *
 * - signing: the flag's private key, else DATA_DIR/pki/service-account.key (made when missing);
 * - verifying: every key of every --service-account-key-file, in order; without that flag, the
 *   signing key, then (only when the signing key is the data dir's) the keys `bosun rotate-sa-key`
 *   retired. kube-apiserver needs the flag whenever it issues tokens; Bosun defaults it, as k3s
 *   passes its own files.
 *
 * A signing key that is not among the verification keys is refused at start: upstream would sign
 * tokens that no server accepts, every pod's included.
 */
import { privateKeyFromFile, publicKeysFromFile, type SigningKey, type VerifyKey } from './key-files.js';
import { ensureSigningKey, previousKeys } from './signing-key.js';

export interface ServiceAccountKeyOptions {
  /** --service-account-signing-key-file. */
  signingKeyFile?: string;
  /** --service-account-key-file, each given. */
  keyFiles?: string[];
}

export interface ServiceAccountKeySet {
  signing: SigningKey;
  /** In the order given; /openid/v1/jwks lists them so. */
  verifying: VerifyKey[];
}

export function loadServiceAccountKeys(dataDir: string, o: ServiceAccountKeyOptions = {}): ServiceAccountKeySet {
  const signing = o.signingKeyFile ? privateKeyFromFile(o.signingKeyFile) : ensureSigningKey(dataDir);
  let verifying: VerifyKey[];
  if (o.keyFiles?.length) verifying = o.keyFiles.flatMap(publicKeysFromFile);
  else if (o.signingKeyFile) verifying = [signing];
  else verifying = [signing, ...previousKeys(dataDir)];
  if (!verifying.some((k) => k.kid === signing.kid)) {
    throw new Error(`the service account signing key (kid ${signing.kid}) is not in any --service-account-key-file: the tokens it signs would not verify`);
  }
  return { signing, verifying };
}
