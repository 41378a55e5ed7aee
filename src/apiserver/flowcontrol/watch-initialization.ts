/**
 * The end of a watch's initialization, as upstream's flowcontrol InitializationSignal
 * (util/flowcontrol/watch_initialization.go): APF holds a WATCH's seats from dispatch until the
 * watch has sent its initial events (the storage's list and its ADDED events), then releases them
 * while the watch goes on. The limiter registers what to do per response; the watch handler
 * signals once its initial events are written (and the limiter also releases when the response
 * ends first, e.g. refused by authorization).
 */
import type { ServerResponse } from 'node:http';

const pending = new WeakMap<ServerResponse, () => void>();

/** Calls `fn` once the watch answered by `res` is initialized. */
export function onWatchInitialized(res: ServerResponse, fn: () => void): void {
  pending.set(res, fn);
}

/** The watch answered by `res` sent its initial events (idempotent; nothing when APF did not admit it). */
export function watchInitialized(res: ServerResponse): void {
  const fn = pending.get(res);
  if (!fn) return;
  pending.delete(res);
  fn();
}
