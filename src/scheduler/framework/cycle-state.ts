/**
 * Data plugins share within one scheduling cycle (upstream CycleState): PreFilter computes once per
 * pod, Filter reads per node. Keys are namespaced by plugin name by convention. A new CycleState
 * per cycle; never kept across cycles.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run in this cycle. */
  readonly skipFilter = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run in this cycle. */
  readonly skipScore = new Set<string>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** The value `key` holds; throws if a plugin reads state its PreFilter/PreScore did not write. */
  read<T>(key: string): T {
    if (!this.data.has(key)) throw new Error(`error reading ${JSON.stringify(key)} from cycleState: not found`);
    return this.data.get(key) as T;
  }

  readOptional<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
}
