/**
 * Reading a watch the way upstream's conformance tests do (test/e2e/apimachinery/watch.go's
 * expectEvent): one event at a time, in order, with a bound on the wait so a missing event fails
 * the test instead of hanging it. Ordering is what makes "no event for X" checkable without a
 * timed wait: the next event a watch delivers must be the expected one.
 */
import type { KubeObject, WatchEvent } from '../../api/meta.js';
import type { Watch } from '../../client/watch.js';

export class WatchReader<T extends KubeObject = KubeObject> {
  private readonly it: AsyncIterator<WatchEvent<T>>;

  constructor(readonly watch: Watch<T>, private readonly boundMs = 15_000) {
    this.it = watch[Symbol.asyncIterator]();
  }

  /** The next event; rejects when the stream ends or nothing arrives within the bound. */
  async next(what = 'a watch event'): Promise<WatchEvent<T>> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watch event within ${this.boundMs} ms: wanted ${what}`)), this.boundMs);
    });
    try {
      const r = await Promise.race([this.it.next(), bound]);
      if (r.done) throw new Error(`watch ended: wanted ${what}`);
      return r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next event, which must be `type` on the object named `name`. */
  async expect(type: WatchEvent['type'], name: string): Promise<WatchEvent<T>> {
    const ev = await this.next(`${type} ${name}`);
    const got = `${ev.type} ${ev.object.metadata.name}`;
    if (got !== `${type} ${name}`) throw new Error(`watch: expected ${type} ${name}, got ${got}`);
    return ev;
  }

  stop(): void {
    this.watch.stop();
  }
}
