/**
 * The serviceaccounts controller (upstream pkg/controller/serviceaccount/serviceaccounts_controller.go):
 * every Active namespace has a ServiceAccount named `default`, created when the namespace appears
 * and again whenever it is deleted. Terminating namespaces are left alone (a create there is refused
 * with the NamespaceTerminating cause, which is not an error). The ServiceAccount admission
 * (apiserver/admission/service-account.ts) names `default` on every pod that names none.
 */
import type { Namespace } from '../../api/kinds/index.js';
import { DEFAULT_SERVICE_ACCOUNT, type ServiceAccount } from '../../api/kinds/core/service-account.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

/** The ServiceAccounts every namespace gets (upstream's serviceAccountsToEnsure: just `default`). */
export const SERVICE_ACCOUNTS_TO_ENSURE: readonly string[] = [DEFAULT_SERVICE_ACCOUNT];

export function addServiceAccountsController(mgr: Manager): Controller {
  const namespaces = mgr.informers.informerFor<Namespace>(resources.namespaces);
  const accounts = mgr.informers.informerFor<ServiceAccount>(resources.serviceaccounts);
  return mgr.controller('serviceaccount')
    .for(resources.namespaces)
    .watches(resources.serviceaccounts, (sa) => (SERVICE_ACCOUNTS_TO_ENSURE.includes(sa.metadata.name ?? '') ? [sa.metadata.namespace ?? ''] : []))
    .complete(async (req) => {
      const ns = namespaces.indexer.get(req.name);
      if (ns?.status?.phase !== 'Active') return;
      for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
        if (accounts.indexer.get(`${req.name}/${name}`)) continue;
        try {
          await mgr.client.create(resources.serviceaccounts, req.name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
        } catch (err) {
          if (!isAlreadyExists(err) && !isNamespaceTerminating(err) && !isNotFound(err)) throw err;
        }
      }
    });
}
