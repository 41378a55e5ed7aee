/**
 * The storage of one served version of a custom resource: the generic storage, plus the watches it
 * serves, so that they end when the CRD is deleted or its definition changes (as apiextensions-apiserver
 * tears down a CRD's storage and its watchers). Clients list and watch again and meet the new
 * definition, or a 404. Strategic merge patches are refused with 415, as upstream serves custom
 * resources only JSON, merge and apply patches.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { failure } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import { GenericStorage } from '../storage/generic-storage.js';
import type { Strategy } from '../storage/strategies/types.js';
import type { PatchRequest, RequestContext, StorageSubresource, WatchQuery, WatchSink, WatchStream } from '../storage/types.js';

/** Custom resources take no strategic merge patch (there are no patch strategies to follow), as upstream. */
const PATCH_TYPES = 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export class CustomResourceStorage extends GenericStorage {
  private readonly streams = new Set<WatchStream>();
  private closed = false;

  constructor(store: Store, def: ResourceDefinition, strategy: Strategy) {
    super(store, def, strategy);
  }

  override async watch(ctx: RequestContext, namespace: string | undefined, q: WatchQuery, sink: WatchSink): Promise<WatchStream> {
    // onClose may run before watch() returns (an expired resourceVersion): the stream is read through a holder.
    const held: { stream?: WatchStream } = {};
    const stream = await super.watch(ctx, namespace, q, {
      onEvent: (ev) => sink.onEvent(ev),
      onClose: () => {
        if (held.stream) this.streams.delete(held.stream);
        sink.onClose();
      },
    });
    held.stream = stream;
    if (this.closed) stream.stop();
    else this.streams.add(stream);
    return stream;
  }

  override patch(
    ctx: RequestContext, namespace: string | undefined, name: string, patch: PatchRequest, sub?: StorageSubresource,
  ): Promise<{ object: KubeObject; created: boolean }> {
    if (patch.type === 'strategic') {
      return Promise.reject(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES}`));
    }
    return super.patch(ctx, namespace, name, patch, sub);
  }

  /** Ends every watch this storage serves, and any started later. */
  close(): void {
    this.closed = true;
    for (const s of [...this.streams]) s.stop();
    this.streams.clear();
  }
}
