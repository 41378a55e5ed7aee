/**
 * User impersonation, as upstream's WithImpersonation filter
 * (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): the headers
 * Impersonate-User, Impersonate-Group (repeatable), Impersonate-Uid and Impersonate-Extra-<key>
 * make the request act as another user, each one allowed only when the requester may `impersonate`
 * it: users (or serviceaccounts in their namespace for system:serviceaccount:<ns>:<name>), groups,
 * uids and userextras/<key> in authentication.k8s.io. A refusal is the 403 of any authorization;
 * groups, uid or extra without a user is 400. The impersonated user is in system:authenticated
 * unless a group says otherwise; a service account without groups gets its fixed groups.
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../../api/status.js';
import type { RequestAttributes } from '../authz/attributes.js';
import type { Decision } from '../authz/node-authorizer.js';
import { forbidden } from '../authz/forbidden.js';
import type { UserInfo } from './authn.js';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether the request asks to impersonate (cheap: most requests do not). */
export function wantsImpersonation(req: IncomingMessage): boolean {
  const h = req.headers;
  return h['impersonate-user'] !== undefined || h['impersonate-group'] !== undefined || h['impersonate-uid'] !== undefined
    || Object.keys(h).some((k) => k.startsWith(EXTRA_PREFIX));
}

/** The user the request acts as; throws 400/403 as upstream. */
export async function impersonate(req: IncomingMessage, requester: UserInfo, decide: (a: RequestAttributes) => Promise<Decision>): Promise<UserInfo> {
  const h = req.headers;
  const userName = values(h['impersonate-user'])[0];
  const groups = values(h['impersonate-group']).flatMap((g) => g.split(',').map((x) => x.trim())).filter(Boolean);
  const uid = values(h['impersonate-uid'])[0];
  const extra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (!k.startsWith(EXTRA_PREFIX)) continue;
    // Keys are percent-encoded in the header name (RFC 7230 token rules).
    extra[decodeURIComponent(k.slice(EXTRA_PREFIX.length))] = values(v).flatMap((x) => x.split(',').map((y) => y.trim()));
  }
  if (!userName) {
    const asked = [...groups.map((g) => `Group ${g}`), ...(uid ? [`UID ${uid}`] : []), ...Object.keys(extra).map((k) => `Extra ${k}`)];
    throw errors.badRequest(`requested [${asked.join(' ')}] without impersonating a user`);
  }
  const check = async (a: Omit<RequestAttributes, 'user' | 'verb' | 'version'>): Promise<void> => {
    const attrs: RequestAttributes = { user: requester, verb: 'impersonate', version: '', ...a };
    const d = await decide(attrs);
    if (!d.allowed) throw forbidden(attrs, d.reason);
  };
  let finalGroups = groups;
  if (userName.startsWith(SA_PREFIX)) {
    const [ns, name] = userName.slice(SA_PREFIX.length).split(':');
    await check({ group: '', resource: 'serviceaccounts', namespace: ns, name });
    if (!groups.length) finalGroups = ['system:serviceaccounts', `system:serviceaccounts:${ns}`];
  } else {
    await check({ group: '', resource: 'users', name: userName });
  }
  for (const g of groups) await check({ group: '', resource: 'groups', name: g });
  for (const [key, vs] of Object.entries(extra)) for (const v of vs) await check({ group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
  if (uid) await check({ group: 'authentication.k8s.io', resource: 'uids', name: uid });
  if (userName !== 'system:anonymous' && !finalGroups.some((g) => g === 'system:authenticated' || g === 'system:unauthenticated')) {
    finalGroups = [...finalGroups, 'system:authenticated'];
  }
  return { name: userName, groups: finalGroups };
}
