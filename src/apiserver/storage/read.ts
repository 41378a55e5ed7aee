/** GET and LIST: single objects, selectors, pagination and resourceVersion semantics. */
import type { KubeList, KubeObject } from '../../api/meta.js';
import { errors } from '../../api/status.js';
import { StoreError, type KeyValue } from '../../store/types.js';
import { decodeContinue, encodeContinue, expiredContinue } from './continue-token.js';
import { fromStoreError, listTooOld, notFound } from './errors.js';
import { listPrefix } from './keys.js';
import { checkListOptions, parseResourceVersion, waitForRevision } from './resource-version.js';
import { makeSelection } from './selection.js';
import type { StorageCore } from './storage-core.js';
import type { ListQuery, RequestContext } from './types.js';

export async function getObject(core: StorageCore, namespace: string | undefined, name: string): Promise<{ obj: KubeObject; kv: KeyValue }> {
  const kv = await core.store.get(core.key(core.scope(namespace), name));
  if (!kv) throw notFound(core.def, name);
  return { obj: core.decode(kv), kv };
}

/** Pages read from the store while filtering by selectors. */
const SCAN_BATCH = 500;

/** With `each`, selected objects go to it one by one and the list comes back without items. */
export async function listObjects(
  core: StorageCore, ctx: RequestContext, namespace: string | undefined, q: ListQuery, each?: (obj: KubeObject) => void,
): Promise<KubeList> {
  const { def, store } = core;
  checkListOptions(q);
  const selection = makeSelection(def, q.labelSelector, q.fieldSelector, core.selectableFields);
  const prefix = listPrefix(def, namespace);
  // resourceVersion "0" is served as upstream's watch cache serves it: whole, the limit ignored
  // (cacher's computeListLimit); a continuation is paged all the same.
  const limit = q.limit && q.limit > 0 && (q.resourceVersion !== '0' || q.continue) ? Math.floor(q.limit) : 0;

  let revision = 0;
  let afterKey: string | undefined;
  /** Where the continue token starts: an inconsistent continuation after a 410 starts there too. */
  let continueKey: string | undefined;
  if (q.continue) {
    ({ revision, afterKey } = decodeContinue(q.continue, core.prefix));
    continueKey = afterKey;
    if (!afterKey.startsWith(prefix) && afterKey + '/' !== prefix) throw errors.badRequest('invalid continue token: continue key is not valid: it belongs to another list');
    if (revision && revision < store.compactedRevision()) throw expiredContinue(afterKey, core.prefix);
  } else if (q.resourceVersion && q.resourceVersion !== '0') {
    const rv = parseResourceVersion(q.resourceVersion);
    // Exact, and its legacy form: N with a limit and no resourceVersionMatch reads at exactly N
    // (upstream's resolveGetListRev), so that the pages a client walks are of one revision.
    if (q.resourceVersionMatch === 'Exact' || (!q.resourceVersionMatch && limit)) {
      if (rv < store.compactedRevision()) throw listTooOld();
      if (rv > store.currentRevision()) await waitForRevision(store, rv, ctx.signal);
      revision = rv;
    } else {
      await waitForRevision(store, rv, ctx.signal);
    }
  }

  const items: KubeObject[] = [];
  let count = 0;
  let lastKey: string | undefined;
  let more = false;
  let remaining: number | undefined;
  try {
    for (;;) {
      const want = limit ? limit - count : 0;
      const batch = selection.everything ? want : Math.max(want, SCAN_BATCH);
      const page = await store.list(prefix, { revision: revision || undefined, limit: limit ? batch : undefined, afterKey });
      revision = page.revision;
      for (let i = 0; i < page.items.length; i++) {
        const kv = page.items[i];
        afterKey = kv.key;
        const obj = core.decode(kv);
        if (!selection.matches(obj)) continue;
        if (each) each(obj);
        else items.push(obj);
        count++;
        lastKey = kv.key;
        if (limit && count >= limit) {
          more = i < page.items.length - 1 || page.continueKey !== undefined;
          if (selection.everything && page.continueKey !== undefined) remaining = page.remaining;
          break;
        }
      }
      if ((limit && count >= limit) || page.continueKey === undefined) break;
      afterKey = page.continueKey;
    }
  } catch (err) {
    if (err instanceof StoreError && err.code === 'TooOld') {
      throw continueKey ? expiredContinue(continueKey, core.prefix) : listTooOld();
    }
    throw fromStoreError(def, '', err);
  }

  const list: KubeList = {
    apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
    kind: def.listKind,
    metadata: { resourceVersion: String(revision) },
    items,
  };
  if (more && lastKey) {
    list.metadata.continue = encodeContinue(revision, lastKey, core.prefix);
    if (remaining !== undefined) list.metadata.remainingItemCount = remaining;
  }
  return list;
}
