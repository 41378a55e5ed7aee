/**
 * Service account issuer discovery (upstream pkg/serviceaccount/openidmetadata.go): GET
 * /.well-known/openid-configuration and /openid/v1/jwks, so that outside verifiers (a cloud's
 * workload identity, Vault) can check the cluster's tokens. Authorized as the non-resource GETs
 * they are (upstream binds ClusterRole system:service-account-issuer-discovery to
 * system:serviceaccounts); the router runs extra handlers before its own non-resource check, so
 * the handler asks the authorizer itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../http/authn.js';
import type { TokenSigner } from './token-signer.js';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

/**
 * The discovery document: jwks_uri under the issuer (--service-account-jwks-uri unset), the
 * algorithms of every verification key (upstream's getAlgs: sorted, each once).
 */
export function openidConfiguration(issuer: string, algorithms: string[], jwksUri = `${issuer.replace(/\/$/, '')}${JWKS_PATH}`): Record<string, unknown> {
  return {
    issuer, jwks_uri: jwksUri, response_types_supported: ['id_token'], subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algorithms,
  };
}

/** Throws a 403 Status when `user` may not `verb` the non-resource `path`. */
export type NonResourceAuthorizer = (user: UserInfo, verb: string, path: string) => void;

/** A router extra handler (server.ts): true when it answered. */
export function createIssuerDiscoveryHandler(signer: TokenSigner, authorize?: NonResourceAuthorizer) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo | undefined): Promise<boolean> => {
    if (url.pathname !== OPENID_CONFIG_PATH && url.pathname !== JWKS_PATH) return false;
    if (!user) return false; // the router answers 401
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    authorize?.(user, 'get', url.pathname);
    const [body, type] = url.pathname === OPENID_CONFIG_PATH
      ? [openidConfiguration(signer.issuer, signer.algorithms()), 'application/json']
      : [{ keys: await signer.publicJwks() }, 'application/jwk-set+json'];
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600', 'Content-Length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  };
}
