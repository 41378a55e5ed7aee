/**
 * Serves custom resources from CustomResourceDefinitions, as apiextensions-apiserver's controllers do
 * (crdHandler, NamingConditionController, EstablishingController, CRDFinalizer), fed by a watch on the
 * CRD storage:
 * - a CRD written: its names are checked against the other CRDs of the group (NamesAccepted), each
 *   served version becomes a GenericStorage over a definition built from its schema
 *   (src/api/crd/custom-definition.ts) and is added to the API catalog, so discovery, OpenAPI and
 *   routes follow at once; then status says Established with the accepted names;
 * - a CRD marked for deletion (Terminating, customresourcecleanup finalizer): creates are refused,
 *   every custom object is deleted, then the finalizer is removed;
 * - a CRD removed from the store: its versions leave the catalog.
 * Objects are stored once under /registry/<group>/<plural>/ whatever the version (conversion None);
 * with conversion Webhook each version's storage reads and writes through a ConvertingStore, which
 * converts to the storage version on write and to the served version on read.
 */
import { customDefinition } from '../../api/crd/custom-definition.js';
import { crdCondition, type CrdVersion, type CustomResourceDefinition } from '../../api/kinds/apiextensions/custom-resource-definition.js';
import { failure } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import type { ApiCatalog } from '../discovery/catalog.js';
import { isStatusError } from '../storage/errors.js';
import { CRD_CLEANUP_FINALIZER } from '../storage/strategies/custom-resource-definition.js';
import type { Strategy } from '../storage/strategies/types.js';
import type { RequestContext, ResourceStorage, StorageWatchEvent, WatchStream } from '../storage/types.js';
import { kubeVersionCompare } from './version-priority.js';
import { crdStatus } from './crd-status.js';
import { CustomResourceStorage } from './custom-storage.js';
import { ConversionWebhookConverter, type ConversionWebhook } from './conversion-webhook.js';
import { ConvertingStore } from './converting-store.js';
import { resourcePrefix } from '../storage/keys.js';

const CTX = (): RequestContext => ({ user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', fieldManager: 'apiextensions-apiserver', warnings: [] });

interface Served {
  /** spec and accepted names the storages were built from. */
  fingerprint: string;
  gvrs: { group: string; version: string; plural: string }[];
  storages: CustomResourceStorage[];
  terminating: { value: boolean };
}

export interface CrdRegistrar {
  /** Resolves when every CRD stored at start is served. */
  ready: Promise<void>;
  stop(): void;
}

export function startCrdRegistrar(opts: {
  catalog: ApiCatalog; store: Store; crds: ResourceStorage; log: (msg: string, err?: unknown) => void;
  /** Wraps each custom storage before the catalog serves it (dynamic admission, as built-in kinds get). */
  wrap?: (s: ResourceStorage) => ResourceStorage;
}): CrdRegistrar {
  const { catalog, store, crds, log, wrap } = opts;
  const served = new Map<string, Served>();
  const known = new Map<string, CustomResourceDefinition>();
  const accepted = new Map<string, NonNullable<NonNullable<CustomResourceDefinition['status']>['acceptedNames']>>();
  let stream: WatchStream | undefined;
  let stopped = false;
  let queue = Promise.resolve();
  const enqueue = (fn: () => Promise<void>): void => {
    queue = queue.then(fn).catch((err: unknown) => log('custom resource definitions:', err));
  };

  const unserve = (name: string): void => {
    const s = served.get(name);
    if (!s) return;
    for (const g of s.gvrs) catalog.remove(g.group, g.version, g.plural);
    for (const st of s.storages) st.close();
    served.delete(name);
  };

  /** The store a version's storage uses: the API server's, behind the conversion webhook when there is one. */
  const storeFor = (crd: CustomResourceDefinition, def: { group: string; version: string; plural: string }): Store => {
    const conv = crd.spec.conversion as { strategy?: string; webhook?: ConversionWebhook } | undefined;
    const storageVersion = crd.spec.versions.find((v) => v.storage)?.name;
    if (conv?.strategy !== 'Webhook' || !conv.webhook || !storageVersion) return store;
    const converter = new ConversionWebhookConverter(store, conv.webhook);
    return new ConvertingStore(store, resourcePrefix(def), `${def.group}/${def.version}`, `${def.group}/${storageVersion}`, converter);
  };

  const serve = (crd: CustomResourceDefinition, acceptedNames: CustomResourceDefinition['spec']['names']): Served => {
    const name = crd.metadata.name!;
    const fingerprint = JSON.stringify([crd.spec, acceptedNames]);
    const cur = served.get(name);
    if (cur?.fingerprint === fingerprint) return cur;
    unserve(name);
    const terminating = { value: false };
    const strategy: Strategy = {
      async admit() {
        if (terminating.value) throw failure(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
      },
    };
    const withNames = { ...crd, status: { ...(crd.status ?? {}), acceptedNames } } as CustomResourceDefinition;
    // Highest priority version first: it is the group's preferred version in discovery.
    const versions = [...crd.spec.versions].filter((v) => v.served).sort((a, b) => kubeVersionCompare(b.name, a.name));
    const gvrs: Served['gvrs'] = [];
    const storages: CustomResourceStorage[] = [];
    for (const v of versions) {
      const def = customDefinition(withNames, v as CrdVersion);
      // A built-in resource (or another CRD's) is never replaced: that version is not served.
      if (catalog.resolve(def.group, def.version, def.plural)) {
        log(`custom resource definition ${name}: ${def.plural}.${def.group}/${def.version} is already served`);
        continue;
      }
      const storage = new CustomResourceStorage(storeFor(crd, def), def, strategy);
      catalog.add(wrap ? wrap(storage) : storage);
      storages.push(storage);
      gvrs.push({ group: def.group, version: def.version, plural: def.plural });
    }
    const s = { fingerprint, gvrs, storages, terminating };
    served.set(name, s);
    return s;
  };

  const reconcile = async (crd: CustomResourceDefinition): Promise<void> => {
    const name = crd.metadata.name!;
    // Others' names as this registrar accepted them (their status write may still be on its way).
    const others = [...known.values()].filter((c) => c.metadata.name !== name && !c.metadata.deletionTimestamp)
      .map((c) => ({ crd: c, accepted: accepted.get(c.metadata.name!) ?? (crdCondition(c, 'NamesAccepted') ? c.status?.acceptedNames : undefined) }));
    const { status, namesAccepted } = crdStatus(crd, others);
    let s: Served | undefined;
    if (namesAccepted) {
      accepted.set(name, status.acceptedNames!);
      s = serve(crd, status.acceptedNames!);
    }
    if (crd.metadata.deletionTimestamp) {
      if (s) s.terminating.value = true;
      await cleanup(crd, s);
      return;
    }
    if (JSON.stringify(status) !== JSON.stringify(crd.status ?? {})) {
      try {
        await crds.update(CTX(), undefined, name, { ...crd, status }, 'status');
      } catch (err) {
        if (!isStatusError(err, 409) && !isStatusError(err, 404)) throw err;
      }
    }
  };

  /** CRDFinalizer: delete every custom object, then let the CRD go. */
  const cleanup = async (crd: CustomResourceDefinition, s: Served | undefined): Promise<void> => {
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const g = s?.gvrs[0];
    const storage = g && catalog.resolve(g.group, g.version, g.plural)?.storage;
    if (storage) {
      const list = await storage.list(CTX(), undefined, {});
      for (const item of list.items) {
        try {
          await storage.delete(CTX(), item.metadata.namespace, item.metadata.name!, {});
        } catch (err) {
          if (!isStatusError(err, 404)) throw err;
        }
      }
      // Objects with finalizers of their own stay until those are removed: try again on the next event.
      if ((await storage.list(CTX(), undefined, { limit: 1 })).items.length > 0) {
        setTimeout(() => enqueue(async () => { const cur = known.get(crd.metadata.name!); if (cur) await reconcile(cur); }), 1000).unref();
        return;
      }
    }
    const fresh = { ...crd, metadata: { ...crd.metadata, finalizers: (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER) } };
    try {
      await crds.update(CTX(), undefined, crd.metadata.name!, fresh);
    } catch (err) {
      if (!isStatusError(err, 409) && !isStatusError(err, 404)) throw err;
    }
  };

  const onEvent = (ev: StorageWatchEvent): void => {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
    const crd = ev.object as CustomResourceDefinition;
    const name = crd.metadata?.name;
    if (!name) return;
    if (ev.type === 'DELETED') {
      known.delete(name);
      enqueue(async () => {
        unserve(name);
        accepted.delete(name);
      });
      return;
    }
    known.set(name, crd);
    enqueue(() => reconcile(crd));
  };

  /** List, serve what is listed (and stop serving CRDs gone meanwhile), then watch from the list's revision. */
  const sync = async (): Promise<void> => {
    const list = await crds.list(CTX(), undefined, {});
    const names = new Set(list.items.map((i) => i.metadata.name!));
    for (const name of [...known.keys()]) if (!names.has(name)) onEvent({ type: 'DELETED', object: known.get(name)! });
    for (const item of list.items) onEvent({ type: 'ADDED', object: item });
    await queue;
    if (stopped) return;
    stream = await crds.watch(CTX(), undefined, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false }, {
      onEvent,
      onClose: () => {
        // A watch ends when it falls too far behind (410) or storage closes: list and watch again.
        if (!stopped) setTimeout(() => void sync().catch((err: unknown) => log('custom resource definitions: resync failed', err)), 1000).unref();
      },
    });
  };
  const ready = sync();
  ready.catch((err: unknown) => log('custom resource definitions: start failed', err));

  return {
    ready,
    stop() {
      stopped = true;
      stream?.stop();
    },
  };
}

export { crdCondition };
