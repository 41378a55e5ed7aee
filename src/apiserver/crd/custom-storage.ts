/**
 * The storage of one served version of a custom resource: the generic storage, plus the watches it
 * serves, so that they end when the CRD is deleted or its definition changes (as apiextensions-apiserver
 * tears down a CRD's storage and its watchers). Clients list and watch again and meet the new
 * definition, or a 404.
 */
import type { ResourceDefinition } from '../../api/resource.js';
import type { Store } from '../../store/types.js';
import { GenericStorage } from '../storage/generic-storage.js';
import type { Strategy } from '../storage/strategies/types.js';
import type { RequestContext, WatchQuery, WatchSink, WatchStream } from '../storage/types.js';

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

  /** Ends every watch this storage serves, and any started later. */
  close(): void {
    this.closed = true;
    for (const s of [...this.streams]) s.stop();
    this.streams.clear();
  }
}
