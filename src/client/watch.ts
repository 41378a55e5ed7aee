/**
 * A live watch: the chunked response body parsed into one event per JSON line, consumed as an async
 * iterator. The iterator ends when the server closes the stream (its timeout) or `stop()` is called,
 * and throws when an ERROR event arrives (`WatchExpiredError` for 410) or the connection fails.
 * Reading is paced by the consumer: the socket is paused while unread events pile up.
 */
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { WatchEvent } from '../api/meta.js';
import { watchErrorFromStatus } from './errors.js';

const HIGH_WATER = 1024;

export class Watch<T> implements AsyncIterable<WatchEvent<T>> {
  private readonly buffer: WatchEvent<T>[] = [];
  private failure: unknown;
  private ended = false;
  private wake: (() => void) | undefined;
  private paused = false;
  private iterated = false;

  constructor(private readonly res: IncomingMessage, private readonly abort: AbortController) {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    res.on('data', (chunk: Buffer) => {
      partial += decoder.write(chunk);
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).trim();
        partial = partial.slice(nl + 1);
        if (line) this.onLine(line);
      }
      if (this.buffer.length >= HIGH_WATER && !this.paused) {
        this.paused = true;
        res.pause();
      }
    });
    res.on('end', () => {
      const rest = (partial + decoder.end()).trim();
      if (rest) this.onLine(rest);
      this.finish();
    });
    res.on('error', (err) => this.finish(abort.signal.aborted ? undefined : err));
    res.on('aborted', () => this.finish(abort.signal.aborted ? undefined : new Error('watch connection aborted')));
    res.on('close', () => this.finish());
  }

  /** End the watch; a pending or later `next()` completes without error. Idempotent. */
  stop(): void {
    if (!this.abort.signal.aborted) this.abort.abort();
    this.res.destroy();
    this.buffer.length = 0;
    this.failure = undefined;
    this.finish();
  }

  get stopped(): boolean {
    return this.ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.iterated) throw new Error('a Watch can be iterated only once');
    this.iterated = true;
    return {
      next: async (): Promise<IteratorResult<WatchEvent<T>>> => {
        for (;;) {
          const ev = this.buffer.shift();
          if (ev) {
            if (this.paused && this.buffer.length < HIGH_WATER / 2) {
              this.paused = false;
              this.res.resume();
            }
            return { value: ev, done: false };
          }
          if (this.ended) {
            if (this.failure !== undefined) {
              const err = this.failure;
              this.failure = undefined;
              throw err;
            }
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (this.wake = r));
        }
      },
      return: async (): Promise<IteratorResult<WatchEvent<T>>> => {
        this.stop();
        return { value: undefined, done: true };
      },
    };
  }

  private onLine(line: string): void {
    if (this.ended) return;
    let ev: WatchEvent<T>;
    try {
      ev = JSON.parse(line) as WatchEvent<T>;
    } catch {
      this.fail(new Error(`watch: undecodable event: ${line.slice(0, 200)}`));
      return;
    }
    if (ev.type === 'ERROR') {
      this.fail(watchErrorFromStatus(ev.object));
      return;
    }
    this.buffer.push(ev);
    this.signal();
  }

  private fail(err: unknown): void {
    this.finish(err);
    this.res.destroy();
  }

  private finish(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (err !== undefined) this.failure = err;
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
