/**
 * The opaque `continue` token of a paginated list: the revision the first page was read at and
 * the last key returned, relative to the resource prefix (as apiserver's etcd3 continue token).
 * Revision -1 continues at the latest revision: the token a 410 for a compacted revision carries
 * (upstream's handleCompactedErrorForPaging), for a client willing to take an inconsistent list.
 */
import { errors, type StatusError } from '../../api/status.js';

interface Token { v: string; rv: number; start: string }

export function encodeContinue(revision: number, lastKey: string, resourcePrefix: string): string {
  const token: Token = { v: 'meta.k8s.io/v1', rv: revision, start: lastKey.slice(resourcePrefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** `revision` 0: the latest (a token encoded at -1). A bad token is 400 "invalid continue token: ...", as the etcd3 store's GetList words it. */
export function decodeContinue(value: string, resourcePrefix: string): { revision: number; afterKey: string } {
  let token: Token;
  try {
    token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Token;
  } catch {
    throw errors.badRequest('invalid continue token: continue key is not valid: illegal base64 data');
  }
  const bad = (why: string) => errors.badRequest(`invalid continue token: continue key is not valid${why}`);
  // storage.DecodeContinue's checks, in its order.
  if (token?.v !== 'meta.k8s.io/v1') throw bad(`: server does not recognize this encoded version ${String(token?.v ?? '')}`);
  if (typeof token.rv !== 'number' || token.rv === 0 || token.rv < -1) throw bad(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof token.start !== 'string' || token.start === '') throw bad(': encoded start key empty (version meta.k8s.io/v1)');
  if (token.start.includes('..') || token.start.startsWith('/')) throw bad(': key may not contain relative path segments');
  return { revision: Math.max(token.rv, 0), afterKey: resourcePrefix + token.start };
}

export const EXPIRED_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the ' +
  'continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing ' +
  'with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the ' +
  'time the first chunk was returned and now may show up in the list.';

/**
 * 410 Expired for a continue token whose revision was compacted away, carrying in its metadata a
 * token that continues after the same key at the latest revision (as upstream's etcd3 store).
 */
export function expiredContinue(afterKey: string, resourcePrefix: string): StatusError {
  const err = errors.gone(EXPIRED_CONTINUE_MESSAGE);
  err.status.metadata = { continue: encodeContinue(-1, afterKey, resourcePrefix) };
  return err;
}
