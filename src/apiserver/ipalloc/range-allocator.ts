/**
 * A set of integers in [first, last] handed out at random (upstream's allocator.Range with its
 * random scan), with each taken value remembered under an owner key so that a rebuild from stored
 * objects can tell a committed value from one reserved by a create still in flight.
 */
export interface Holder {
  /** `namespace/name` of the Service holding the value. */
  owner: string;
  /** When the value was reserved (ms); 0 for values seen in the store. */
  reservedAt: number;
}

export class RangeAllocator {
  private readonly taken = new Map<number, Holder>();

  constructor(readonly first: number, readonly last: number) {}

  get size(): number {
    return this.last - this.first + 1;
  }

  inRange(v: number): boolean {
    return Number.isInteger(v) && v >= this.first && v <= this.last;
  }

  holder(v: number): Holder | undefined {
    return this.taken.get(v);
  }

  /** Take `v` for `owner`; false when another owner holds it. Re-taking one's own value succeeds. */
  take(v: number, owner: string, now: number): boolean {
    const h = this.taken.get(v);
    if (h && h.owner !== owner) return false;
    this.taken.set(v, { owner, reservedAt: h?.reservedAt ?? now });
    return true;
  }

  /** A free value, chosen at random then scanned forward (upstream's strategy), or undefined when full. */
  next(owner: string, now: number, avoid: ReadonlySet<number> = new Set()): number | undefined {
    if (this.taken.size >= this.size) return undefined;
    const start = Math.floor(Math.random() * this.size);
    for (let i = 0; i < this.size; i++) {
      const v = this.first + ((start + i) % this.size);
      if (this.taken.has(v) || avoid.has(v)) continue;
      this.taken.set(v, { owner, reservedAt: now });
      return v;
    }
    return undefined;
  }

  /** Free `v` if `owner` holds it (or unconditionally when owner is undefined). */
  release(v: number, owner?: string): void {
    const h = this.taken.get(v);
    if (h && (owner === undefined || h.owner === owner)) this.taken.delete(v);
  }

  /**
   * Replace the contents with what the store holds (`committed`), keeping reservations younger than
   * `keepReservedMs` whose value the store does not show (creates still in flight).
   */
  rebuild(committed: Map<number, string>, now: number, keepReservedMs: number): void {
    const pending = [...this.taken].filter(([v, h]) => !committed.has(v) && h.reservedAt > 0 && now - h.reservedAt < keepReservedMs);
    this.taken.clear();
    for (const [v, owner] of committed) this.taken.set(v, { owner, reservedAt: 0 });
    for (const [v, h] of pending) this.taken.set(v, h);
  }

  used(): number {
    return this.taken.size;
  }
}
