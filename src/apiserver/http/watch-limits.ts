/**
 * Watches per client, bounded: one identity (the authenticated user name) keeps at most
 * `perClient` watches open at once (default 1000); past it a new watch is answered 429
 * TooManyRequests with `Retry-After: 1` before it is authorized, and the open ones go on. Upstream
 * has no such cap (API Priority and Fairness charges a watch's seats only while it starts), but a
 * watch costs the server memory and a fan-out slot for as long as it lives, so one client opening
 * them without end would starve the rest. system:masters and the system's own components (nodes
 * watch every object their pods reference) are not limited.
 */
import type { ServerResponse } from 'node:http';
import { failure } from '../../api/status.js';
import type { UserInfo } from './authn.js';
import { isSystemComponent } from './inflight.js';

export const DEFAULT_WATCHES_PER_CLIENT = 1000;

export class WatchLimiter {
  private readonly open = new Map<string, number>();
  /** Watches refused with 429. */
  refused = 0;

  constructor(readonly perClient = DEFAULT_WATCHES_PER_CLIENT) {}

  /** Watches `user` has open now. */
  openFor(user: string): number {
    return this.open.get(user) ?? 0;
  }

  /** Counts the watch until its response ends; throws the 429 past the cap. */
  admit(res: ServerResponse, user: UserInfo | undefined): void {
    if (!user || this.perClient <= 0 || user.groups.includes('system:masters') || isSystemComponent(user)) return;
    const n = this.openFor(user.name);
    if (n >= this.perClient) {
      this.refused++;
      res.setHeader('Retry-After', '1');
      throw failure(429, 'TooManyRequests', `Too many watches open for user "${user.name}" (at most ${this.perClient}), please try again later.`, { retryAfterSeconds: 1 });
    }
    this.open.set(user.name, n + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = this.openFor(user.name) - 1;
      if (left > 0) this.open.set(user.name, left);
      else this.open.delete(user.name);
    };
    res.once('finish', release);
    res.once('close', release);
  }
}
