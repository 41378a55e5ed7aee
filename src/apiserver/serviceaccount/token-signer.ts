/**
 * Signs service account JWTs with the signing key and verifies them with the verification keys
 * (key-set.ts), through `jose`. As upstream's pkg/serviceaccount/jwt.go: new tokens carry the
 * signing key's id (`kid`) and algorithm (RS256, or ES256/384/512 for an ECDSA key); a token is
 * checked against the keys with its kid (every key when it has none) until one verifies, and a
 * kid no key has is "invalid signature, no keys found". Then the issuer (the server's, or the
 * legacy `kubernetes/serviceaccount`), and exp/nbf/iat with go-jose's one-minute leeway, as
 * upstream's claims.go Validate; the audience and the bound objects are the authenticator's
 * (token-authenticator.ts).
 */
import { decodeProtectedHeader, exportJWK, jwtVerify, SignJWT, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import { LEGACY_ISSUER } from './claims.js';
import type { SigningAlg, VerifyKey } from './key-files.js';
import type { ServiceAccountKeySet } from './key-set.js';

/** go-jose's DefaultLeeway, which upstream's claim validation uses. */
const LEEWAY_SECONDS = 60;

/** A token that is not (or no longer) valid, with upstream's reason. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** A key that did not verify the signature: the next one is tried. */
const wrongKey = (err: unknown): boolean =>
  err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JOSEAlgNotAllowed;

export class TokenSigner {
  private jwks?: JWK[];
  private readonly byKid = new Map<string, VerifyKey[]>();

  constructor(private readonly keys: ServiceAccountKeySet, readonly issuer: string) {
    for (const k of keys.verifying) this.byKid.set(k.kid, [...(this.byKid.get(k.kid) ?? []), k]);
  }

  /** The signing key's id, which new tokens carry. */
  get kid(): string {
    return this.keys.signing.kid;
  }

  sign(claims: object): Promise<string> {
    const k = this.keys.signing;
    return new SignJWT({ ...claims } as JWTPayload).setProtectedHeader({ alg: k.alg, kid: k.kid }).sign(k.privateKey);
  }

  /** The verified payload, or an InvalidTokenError. `now` in ms (tests). */
  async verify(token: string, now = Date.now()): Promise<JWTPayload> {
    try {
      const { kid } = decodeProtectedHeader(token);
      const candidates = kid ? this.byKid.get(kid) ?? [] : this.keys.verifying;
      if (candidates.length === 0) throw new InvalidTokenError('invalid signature, no keys found');
      for (const key of candidates) {
        let payload: JWTPayload;
        try {
          ({ payload } = await jwtVerify(token, key.publicKey, {
            algorithms: [key.alg], issuer: [this.issuer, LEGACY_ISSUER], clockTolerance: LEEWAY_SECONDS, currentDate: new Date(now),
          }));
        } catch (err) {
          if (wrongKey(err)) continue;
          throw err;
        }
        if (payload.iss !== LEGACY_ISSUER && typeof payload.iat === 'number' && payload.iat > now / 1000 + LEEWAY_SECONDS) {
          throw new InvalidTokenError('service account token is issued in the future');
        }
        return payload;
      }
      throw new InvalidTokenError('invalid signature');
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('service account token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') throw new InvalidTokenError('service account token is not valid yet');
      throw new InvalidTokenError(err instanceof Error ? err.message : String(err));
    }
  }

  /** Every verification key as upstream's /openid/v1/jwks lists it, in order. */
  async publicJwks(): Promise<JWK[]> {
    this.jwks ??= await Promise.all(this.keys.verifying.map(async (k) => ({ use: 'sig', ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg })));
    return this.jwks;
  }

  /** The verification keys' algorithms, sorted and each once (upstream's getAlgs). */
  algorithms(): SigningAlg[] {
    return [...new Set(this.keys.verifying.map((k) => k.alg))].sort();
  }
}
