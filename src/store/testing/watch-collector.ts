/**
 * Test support for the store contract (store-contract.ts): a watch handler that records what a
 * Store delivers and lets a test wait for it.
 */
import assert from 'node:assert/strict';
import type { StoreError, StoreEvent } from '../types.js';

/** Collects watch events; `next(n)` waits until n events in total arrived. */
export class Collector {
  events: StoreEvent[] = [];
  batches = 0;
  error?: StoreError;
  private waiters: (() => void)[] = [];
  onEvents = (evs: StoreEvent[]): void => {
    this.batches++;
    this.events.push(...evs);
    this.wake();
  };
  onError = (err: StoreError): void => {
    this.error = err;
    this.wake();
  };
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  async until(pred: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; have ${this.events.length} events`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  next(n: number): Promise<void> {
    return this.until(() => this.events.length >= n, `${n} events`);
  }
}

/** Let queued deliveries run (events that should not arrive would have by then). */
export const settle = () => new Promise((r) => setTimeout(r, 30));
