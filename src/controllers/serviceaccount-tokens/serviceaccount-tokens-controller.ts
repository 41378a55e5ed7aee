/**
 * The tokens controller (upstream pkg/controller/serviceaccount/tokens_controller.go), for legacy
 * token Secrets only when someone asks for one: a Secret of type kubernetes.io/service-account-token
 * naming a ServiceAccount in its kubernetes.io/service-account.name annotation gets `token` (a
 * legacy JWT that never expires, signed by the API server's key), `ca.crt` (the cluster CA) and
 * `namespace`, and the ServiceAccount's uid in kubernetes.io/service-account.uid. A Secret whose
 * ServiceAccount is gone (or has another uid than the one it names) is deleted, and so are the
 * token Secrets of a deleted ServiceAccount. Nothing is created on its own: since 1.24 upstream
 * makes no token Secrets for ServiceAccounts, and neither does Bosun.
 */
import type { Secret } from '../../api/kinds/index.js';
import type { ServiceAccount } from '../../api/kinds/core/service-account.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

export const TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface ServiceAccountTokenOptions {
  /** Signs a legacy token for `sa`, held by Secret `secretName` (the API server's key: serviceaccount/service-account-tokens.ts). */
  signLegacyToken(sa: { namespace: string; name: string; uid: string }, secretName: string): Promise<string>;
  /** PEM of the cluster CA; default the manager client's CA (as the root CA publisher). */
  rootCa?: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const text = (v: string | undefined): string => Buffer.from(v ?? '', 'base64').toString();

/** What is missing from a token Secret (upstream's generateTokenIfNeeded checks). */
export function missingTokenData(secret: Secret, rootCa: string): { token: boolean; ca: boolean; namespace: boolean } {
  const d = secret.data ?? {};
  return { token: !d.token, ca: rootCa !== '' && text(d['ca.crt']) !== rootCa, namespace: !d.namespace };
}

export function addServiceAccountTokensController(mgr: Manager, opts?: ServiceAccountTokenOptions): Controller {
  const rootCa = opts?.rootCa ?? (mgr.client.config.ca === undefined ? '' : String(mgr.client.config.ca));
  const scope = { fieldSelector: `type=${TOKEN_SECRET_TYPE}` };
  const secrets = mgr.informers.informerFor<Secret>(resources.secrets, scope);
  const accounts = mgr.informers.informerFor<ServiceAccount>(resources.serviceaccounts);
  const referencing = (sa: Readonly<ServiceAccount>) => secrets.indexer.list()
    .filter((s) => s.metadata.namespace === sa.metadata.namespace && s.metadata.annotations?.[SA_NAME_ANNOTATION] === sa.metadata.name)
    .map((s) => ({ namespace: s.metadata.namespace, name: s.metadata.name! }));

  /** The ServiceAccount, from the cache or (a miss may be a cache behind a fresh create) from the API. */
  const serviceAccount = async (ns: string, name: string): Promise<ServiceAccount | undefined> => {
    const cached = accounts.indexer.get(`${ns}/${name}`);
    if (cached) return cached;
    try {
      return await mgr.client.get(resources.serviceaccounts, ns, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  return mgr.controller('serviceaccount-token')
    .for(resources.secrets, scope)
    .watches(resources.serviceaccounts, referencing)
    .complete(async (req) => {
      const ns = req.namespace ?? '';
      const secret = secrets.indexer.get(`${ns}/${req.name}`);
      // Without the API server's key (the server runs in another process) there is nothing to sign with.
      if (!opts || !secret || secret.type !== TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return;
      const saName = secret.metadata.annotations?.[SA_NAME_ANNOTATION] ?? '';
      const saUid = secret.metadata.annotations?.[SA_UID_ANNOTATION];
      const sa = saName ? await serviceAccount(ns, saName) : undefined;
      try {
        if (!sa || sa.metadata.deletionTimestamp || (saUid && sa.metadata.uid !== saUid)) {
          await mgr.client.delete(resources.secrets, ns, req.name, { preconditions: { uid: secret.metadata.uid } });
          return;
        }
        const missing = missingTokenData(secret, rootCa);
        if (!missing.token && !missing.ca && !missing.namespace && saUid) return;
        const data = { ...secret.data };
        if (missing.ca) data['ca.crt'] = b64(rootCa);
        if (missing.namespace) data.namespace = b64(ns);
        if (missing.token) data.token = b64(await opts.signLegacyToken({ namespace: ns, name: saName, uid: sa.metadata.uid ?? '' }, req.name));
        await mgr.client.update(resources.secrets, ns, {
          ...secret,
          metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, [SA_NAME_ANNOTATION]: saName, [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' } },
          data,
        });
      } catch (err) {
        // Gone, or changed under us: its own event brings it back.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    });
}
