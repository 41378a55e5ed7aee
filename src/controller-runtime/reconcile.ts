/**
 * The one function a controller's logic lives in. It is level-triggered: given only which object to
 * look at, it reads the current state (from caches) and writes whatever is missing. Events merely
 * wake it; running it twice in a row must be harmless.
 */
import type { ObjectKey } from './informer/keys.js';

export type Request = ObjectKey;

export interface Result {
  /** Run again after this many ms even without events (e.g. to re-check a deadline). */
  requeueAfter?: number;
  /** Run again soon, with the rate limiter's backoff (not counted as a failure in logs). */
  requeue?: boolean;
}

/** `signal` aborts when the controller stops: long waits inside a reconcile should honour it. */
export type Reconciler = (req: Request, signal: AbortSignal) => Promise<Result | void>;

/** An error that retrying cannot fix (bad spec): logged, not requeued. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
