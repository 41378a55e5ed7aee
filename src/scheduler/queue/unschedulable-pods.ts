/**
 * The pods no node fitted, indexed by the cluster events that could help them, so an event (one
 * per bind confirmation in a busy cluster) touches only the pods it may wake instead of all.
 */
import { ALL_EVENTS, type ClusterEvent } from './cluster-events.js';

export interface Rejected {
  /** Plugins that rejected the pod; empty means any event may help. */
  unschedulablePlugins: ReadonlySet<string>;
}

export class UnschedulablePods<T extends Rejected> {
  private readonly pods = new Map<string, { item: T; events: readonly ClusterEvent[] }>();
  private readonly byEvent = new Map<ClusterEvent, Set<string>>(ALL_EVENTS.map((e) => [e, new Set<string>()]));

  constructor(private readonly pluginEvents: Readonly<Record<string, readonly ClusterEvent[]>>) {}

  get size(): number {
    return this.pods.size;
  }

  get(key: string): T | undefined {
    return this.pods.get(key)?.item;
  }

  set(key: string, item: T): void {
    this.delete(key);
    const events = this.eventsFor(item);
    this.pods.set(key, { item, events });
    for (const e of events) this.byEvent.get(e)!.add(key);
  }

  delete(key: string): T | undefined {
    const entry = this.pods.get(key);
    if (!entry) return undefined;
    this.pods.delete(key);
    for (const e of entry.events) this.byEvent.get(e)!.delete(key);
    return entry.item;
  }

  /** Removes and returns the pods `event` may help. */
  takeFor(event: ClusterEvent): T[] {
    const keys = [...this.byEvent.get(event)!];
    return keys.map((k) => this.delete(k)!);
  }

  /** Removes and returns the pods matching `pred`. */
  takeWhere(pred: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (const [key, { item }] of this.pods) if (pred(item)) out.push(this.delete(key)!);
    return out;
  }

  private eventsFor(item: T): readonly ClusterEvent[] {
    if (item.unschedulablePlugins.size === 0) return ALL_EVENTS;
    const events = new Set<ClusterEvent>();
    for (const p of item.unschedulablePlugins) {
      const interested = this.pluginEvents[p];
      if (!interested) return ALL_EVENTS;
      for (const e of interested) events.add(e);
    }
    return [...events];
  }
}
