/**
 * Signs and verifies service account JWTs with the data dir's key (signing-key.ts), RS256 with the
 * key id in the header, through `jose`. Verification checks the signature, the issuer (the
 * server's, or the legacy `kubernetes/serviceaccount`), and exp/nbf/iat with go-jose's one-minute
 * leeway, as upstream's claims.go Validate; the audience and the bound objects are the
 * authenticator's (token-authenticator.ts).
 */
import { exportJWK, jwtVerify, SignJWT, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import { LEGACY_ISSUER } from './claims.js';
import type { SigningKey } from './signing-key.js';

export const SIGNING_ALG = 'RS256';
/** go-jose's DefaultLeeway, which upstream's claim validation uses. */
const LEEWAY_SECONDS = 60;

/** A token that is not (or no longer) valid, with upstream's reason. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

export class TokenSigner {
  private jwk?: JWK;

  constructor(private readonly key: SigningKey, readonly issuer: string) {}

  sign(claims: object): Promise<string> {
    return new SignJWT({ ...claims } as JWTPayload).setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid }).sign(this.key.privateKey);
  }

  /** The verified payload, or an InvalidTokenError. `now` in ms (tests). */
  async verify(token: string, now = Date.now()): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key.publicKey, {
        algorithms: [SIGNING_ALG], issuer: [this.issuer, LEGACY_ISSUER], clockTolerance: LEEWAY_SECONDS, currentDate: new Date(now),
      });
      if (payload.iss !== LEGACY_ISSUER && typeof payload.iat === 'number' && payload.iat > now / 1000 + LEEWAY_SECONDS) {
        throw new InvalidTokenError('service account token is issued in the future');
      }
      return payload;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('service account token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') throw new InvalidTokenError('service account token is not valid yet');
      throw new InvalidTokenError(err instanceof Error ? err.message : String(err));
    }
  }

  /** The public key as upstream's /openid/v1/jwks lists it. */
  async publicJwk(): Promise<JWK> {
    this.jwk ??= { use: 'sig', ...(await exportJWK(this.key.publicKey)), kid: this.key.kid, alg: SIGNING_ALG };
    return this.jwk;
  }
}
