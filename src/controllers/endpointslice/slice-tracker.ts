/**
 * What the controller last wrote for each Service, to tell a stale informer cache (upstream's
 * EndpointSliceTracker and its StaleSlices check). Slices are created by generateName, so a
 * reconcile that ran before the cache showed a slice just created would create a second one: until
 * the cache holds every slice written (at its written resourceVersion or later) and none deleted,
 * the Service's reconcile waits (requeued) instead of writing.
 */
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';

const DELETED = 'deleted';

/** Revisions are numbers in Bosun's stores; a later one is at least as new. */
function atLeast(seen: string | undefined, written: string): boolean {
  if (seen === undefined) return false;
  if (seen === written) return true;
  return /^\d+$/.test(seen) && /^\d+$/.test(written) && BigInt(seen) >= BigInt(written);
}

export class SliceTracker {
  /** Service key -> slice name -> resourceVersion written, or DELETED. */
  private readonly expected = new Map<string, Map<string, string>>();

  wrote(service: string, slice: Readonly<EndpointSlice>): void {
    this.forService(service).set(slice.metadata.name!, slice.metadata.resourceVersion ?? '');
  }

  deleted(service: string, name: string): void {
    this.forService(service).set(name, DELETED);
  }

  /** The slice is gone from the cache (deleted by us or anyone): nothing more to wait for about it. */
  forget(service: string, name: string): void {
    const exp = this.expected.get(service);
    exp?.delete(name);
    if (exp?.size === 0) this.expected.delete(service);
  }

  /** Whether `cached` (the informer's slices of `service`) lags behind the writes; expectations met are dropped. */
  stale(service: string, cached: readonly EndpointSlice[]): boolean {
    const exp = this.expected.get(service);
    if (!exp) return false;
    const byName = new Map(cached.map((s) => [s.metadata.name!, s.metadata.resourceVersion]));
    for (const [name, rv] of exp) {
      const met = rv === DELETED ? !byName.has(name) : atLeast(byName.get(name), rv);
      if (met) exp.delete(name);
    }
    if (exp.size === 0) this.expected.delete(service);
    return exp.size > 0;
  }

  private forService(service: string): Map<string, string> {
    let m = this.expected.get(service);
    if (!m) this.expected.set(service, (m = new Map()));
    return m;
  }
}
