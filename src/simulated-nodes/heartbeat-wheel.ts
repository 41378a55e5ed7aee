/**
 * Spreads periodic work for many members over a period: each member sits in one of `slots` slots,
 * chosen at random (jitter), and one timer visits one slot per `period / slots`. So 5,000 nodes
 * renewing every 5 s cost one timer and ~40 renewals every 40 ms instead of 5,000 timers or a burst.
 */
import { realClock, type Clock, type Timer } from '../controller-runtime/clock/clock.js';

export class HeartbeatWheel {
  private readonly slots: Set<string>[];
  private readonly slotOf = new Map<string, number>();
  private cursor = 0;
  private timer: Timer | undefined;
  private readonly tickMs: number;

  constructor(periodMs: number, private readonly beat: (member: string) => void, private readonly clock: Clock = realClock, slotCount?: number) {
    const n = Math.max(1, slotCount ?? Math.min(125, Math.round(periodMs / 40)));
    this.slots = Array.from({ length: n }, () => new Set());
    this.tickMs = periodMs / n;
  }

  add(member: string): void {
    if (this.slotOf.has(member)) return;
    const slot = Math.floor(Math.random() * this.slots.length);
    this.slots[slot]!.add(member);
    this.slotOf.set(member, slot);
  }

  remove(member: string): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.slots[slot]!.delete(member);
    this.slotOf.delete(member);
  }

  has(member: string): boolean {
    return this.slotOf.has(member);
  }

  /**
   * Ticks are scheduled against absolute due times, so timer lateness does not stretch the period;
   * after a long stall (more than a period behind) the schedule restarts from now instead of bursting.
   */
  start(): void {
    if (this.timer) return;
    let due = this.clock.now() + this.tickMs;
    const tick = () => {
      const slot = this.slots[this.cursor]!;
      this.cursor = (this.cursor + 1) % this.slots.length;
      for (const m of slot) this.beat(m);
      const now = this.clock.now();
      due += this.tickMs;
      if (now - due > this.tickMs * this.slots.length) due = now + this.tickMs;
      this.timer = this.clock.setTimer(tick, Math.max(0, due - now));
    };
    this.timer = this.clock.setTimer(tick, this.tickMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
