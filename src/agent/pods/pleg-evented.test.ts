import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import type { Container, ContainerRuntime, PodSandbox } from '../runtime/types.js';
import { LABEL_MANAGED, LABEL_POD_UID } from '../runtime/labels.js';
import { Pleg } from './pleg.js';
import { quietLogger } from '../../testing/quiet-logger.js';

/**
 * The PLEG's two modes, as the kubelet's: polling every period when the runtime has no event stream
 * (or it broke), and relisting on runtime events, with a slow safety-net relist, while a stream is
 * open. The runtime here is a table the test edits, and an event stream the test drives. Time is a
 * FakeClock moved a millisecond at a time (`pass`), so every relist's time is exact.
 */

const PERIOD = 50; // evented safety net: 10 x PERIOD = 500 ms

interface Stream {
  change(exited?: string): void;
  ended(err: Error): void;
}

function table(clock: FakeClock, events: 'none' | 'unimplemented' | 'stream') {
  const sandboxes: PodSandbox[] = [];
  const containers: Container[] = [];
  const streams: Stream[] = [];
  const subscribedAt: number[] = [];
  const relistAt: number[] = [];
  const labels = (uid: string) => ({ [LABEL_MANAGED]: 'true', [LABEL_POD_UID]: uid });
  const runtime = {
    listPodSandboxes: async () => {
      relistAt.push(clock.now());
      return [...sandboxes];
    },
    listContainers: async () => [...containers],
    ...(events === 'none' ? {} : {
      watchChanges(h: Stream) {
        streams.push(h);
        subscribedAt.push(clock.now());
        if (events === 'unimplemented') queueMicrotask(() => h.ended(new Error('UNIMPLEMENTED')));
        return { stop: () => undefined };
      },
    }),
  } as unknown as ContainerRuntime;
  return {
    runtime,
    streams,
    subscribedAt,
    relistAt,
    addPod(uid: string) {
      sandboxes.push({ id: `s-${uid}`, state: 'SANDBOX_READY', labels: labels(uid) } as unknown as PodSandbox);
      containers.push({ id: `c-${uid}`, state: 'CONTAINER_RUNNING', labels: labels(uid) } as unknown as Container);
    },
    exit(uid: string) {
      const c = containers.find((x) => x.id === `c-${uid}`)!;
      (c as { state: string }).state = 'CONTAINER_EXITED';
    },
  };
}

/**
 * Move the clock `ms` forward a millisecond at a time, letting each relist the timers start finish
 * before the next millisecond (timers due now, such as the first relist's, fire first).
 */
async function pass(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(0);
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
  }
}

/** Milliseconds between consecutive relists at or after `from` (relative to the test's start). */
const gaps = (times: number[], start: number, from = 0) => {
  const t = times.map((x) => x - start).filter((x) => x >= from);
  return t.slice(1).map((x, i) => x - t[i]!);
};

async function withPleg(clock: FakeClock, rt: ContainerRuntime, fn: (p: Pleg, changes: string[][]) => Promise<void>, period = PERIOD): Promise<void> {
  const changes: string[][] = [];
  const p = new Pleg(rt, period, (changed) => changed.length && changes.push(changed), quietLogger, clock);
  p.start();
  try {
    await fn(p, changes);
  } finally {
    await p.stop();
  }
}

describe('Pleg modes', () => {
  it('polls every period when the runtime has no event stream', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const t = table(clock, 'none');
    await withPleg(clock, t.runtime, async (p, changes) => {
      await pass(clock, 1000);
      assert.equal(t.relistAt[0], start, 'the first relist at once');
      assert.deepEqual(new Set(gaps(t.relistAt, start)), new Set([PERIOD]), 'then one every period');
      assert.equal(t.relistAt.length, 1000 / PERIOD + 1);
      assert.equal(p.isEvented(), false);
      t.addPod('a');
      await pass(clock, PERIOD);
      assert.deepEqual(changes.at(-1), ['a']);
    });
  });

  it('polls, and resubscribes with a doubling, capped back-off, when the runtime cannot serve a stream', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const t = table(clock, 'unimplemented');
    await withPleg(clock, t.runtime, async (p) => {
      await pass(clock, 70_000);
      assert.equal(p.isEvented(), false);
      // Polling every period throughout; a resubscription failing while a relist runs asks for one more 100 ms after it.
      assert.deepEqual(new Set(gaps(t.relistAt, start)), new Set([PERIOD, 100]));
      // 1 s, 2 s, 4 s, ... up to 30 s between attempts.
      assert.deepEqual(gaps(t.subscribedAt, start), [1000, 2000, 4000, 8000, 16_000, 30_000]);
    });
  });

  it('relists on events while a stream is open, with a slow safety net, and polls again when it ends', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const t = table(clock, 'stream');
    t.addPod('a');
    await withPleg(clock, t.runtime, async (p, changes) => {
      await pass(clock, 1999);
      assert.equal(p.isEvented(), false, 'polling until the stream has been open 2 s');
      assert.deepEqual(new Set(gaps(t.relistAt, start)), new Set([PERIOD]));
      await pass(clock, 1);
      assert.equal(p.isEvented(), true);
      await pass(clock, 3000);
      // The relist due at 2000 ms ran, then only the safety net, every 10 periods.
      assert.deepEqual(new Set(gaps(t.relistAt, start, 2000)), new Set([10 * PERIOD]));

      // A container exits: the event brings a relist 100 ms later, not at the next safety net.
      t.exit('a');
      const before = changes.length;
      const eventAt = clock.now();
      t.streams[0]!.change();
      await pass(clock, 100);
      assert.equal(t.relistAt.at(-1), eventAt + 100);
      assert.equal(changes.length, before + 1, 'the event was followed by a relist');
      assert.deepEqual(changes.at(-1), ['a']);

      // The stream breaks: back to polling at once.
      const endedAt = clock.now();
      t.streams[0]!.ended(new Error('connection lost'));
      assert.equal(p.isEvented(), false);
      await pass(clock, 800);
      assert.equal(t.relistAt.filter((x) => x > endedAt).length, 800 / PERIOD, 'polling again');
      assert.equal(t.subscribedAt.length, 1);
      await pass(clock, 200);
      assert.equal(t.subscribedAt.at(-1), endedAt + 1000, 'resubscribed a second after the stream ended');
    });
  });

  it('relists again after an event, for a change the runtime records late', async () => {
    const clock = new FakeClock();
    const t = table(clock, 'stream');
    t.addPod('b');
    await withPleg(clock, t.runtime, async (p, changes) => {
      await pass(clock, 2300);
      assert.equal(p.isEvented(), true);
      const eventAt = clock.now();
      t.streams[0]!.change();
      await pass(clock, 100); // the first relist ran and saw nothing new
      const seen = changes.length;
      t.exit('b'); // the runtime records the exit only now
      await pass(clock, 499);
      assert.equal(changes.length, seen, 'nothing until the confirming relist');
      await pass(clock, 1);
      assert.equal(t.relistAt.at(-1), eventAt + 100 + 10 * PERIOD, 'the confirming relist, a safety-net period (here under CONFIRM_MS) after the first');
      assert.equal(changes.length, seen + 1, 'the confirming relist saw it');
      assert.deepEqual(changes.at(-1), ['b']);
    });
  });

  /**
   * containerd publishes a task's exit (then its delete) before its CRI plugin records the exit: on
   * this test machine 45-480 ms after the last of those events at load 30, and more on a busier host.
   * The agent's own relist period (1 s, so a 10 s safety net) is used here, as in production.
   */
  const AGENT_PERIOD = 1000;
  /** Pod `uid` running with an open stream; `fn` runs as soon as the stream announced `exited`'s exit. */
  async function afterAnnouncedExit(
    uid: string, exited: string, fn: (t: ReturnType<typeof table>, clock: FakeClock, changes: string[][], eventAt: number) => Promise<void>,
  ): Promise<void> {
    const clock = new FakeClock();
    const t = table(clock, 'stream');
    t.addPod(uid);
    await withPleg(clock, t.runtime, async (p, changes) => {
      await pass(clock, 2300);
      assert.equal(p.isEvented(), true);
      const eventAt = clock.now();
      t.streams[0]!.change(exited);
      await fn(t, clock, changes, eventAt);
    }, AGENT_PERIOD);
  }

  it('re-checks an announced exit until the runtime lists it, instead of leaving it to the safety net', async () => {
    await afterAnnouncedExit('b', 'c-b', async (t, clock, changes, eventAt) => {
      const seen = changes.length; // the pod's first appearance
      await pass(clock, 1600); // past the relists 100 ms and 1 s after the event: both listed it running
      assert.equal(changes.length, seen);
      t.exit('b');
      const recordedAt = clock.now();
      while (changes.length === seen && clock.now() < eventAt + 20 * AGENT_PERIOD) await pass(clock, 1);
      const seenAt = clock.now();
      assert.deepEqual(changes.slice(seen), [['b']]);
      assert.ok(seenAt < eventAt + 10 * AGENT_PERIOD, `seen ${seenAt - eventAt} ms after the event: not before the safety net`);
      assert.ok(seenAt - recordedAt <= AGENT_PERIOD, `seen ${seenAt - recordedAt} ms after the runtime recorded it: re-checks farther apart than a period`);
      // Seen: back to the safety net alone.
      await pass(clock, 30 * AGENT_PERIOD);
      assert.deepEqual(new Set(gaps(t.relistAt, 0, seenAt)), new Set([10 * AGENT_PERIOD]));
    });
  });

  it('does not re-check an announced exit of a container it does not list (not the agent\'s, or already removed)', async () => {
    await afterAnnouncedExit('c', 'c-elsewhere', async (t, clock, _changes, eventAt) => {
      await pass(clock, 12 * AGENT_PERIOD);
      // 100 ms after the event, the confirming relist a period later, then the safety net.
      assert.deepEqual(t.relistAt.filter((x) => x > eventAt).map((x) => x - eventAt), [100, 100 + AGENT_PERIOD, 100 + 11 * AGENT_PERIOD]);
    });
  });

  it('stops re-checking an announced exit the runtime never lists, 30 s on', async () => {
    await afterAnnouncedExit('d', 'c-d', async (t, clock, _changes, eventAt) => {
      await pass(clock, 55 * AGENT_PERIOD);
      const after = t.relistAt.filter((x) => x > eventAt).map((x) => x - eventAt);
      // 100 ms after the event, then 200, 400, 800 ms apart, then every period until 30 s, then the safety net.
      const everyPeriod = Array.from({ length: 29 }, (_, i) => 2500 + i * AGENT_PERIOD); // 2.5 s ... 30.5 s
      assert.deepEqual(after, [100, 300, 700, 1500, ...everyPeriod, 40_500, 50_500]);
    });
  });
});
