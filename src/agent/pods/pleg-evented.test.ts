import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, ContainerRuntime, PodSandbox } from '../runtime/types.js';
import { LABEL_MANAGED, LABEL_POD_UID } from '../runtime/labels.js';
import { Pleg } from './pleg.js';
import { quietLogger } from '../../testing/quiet-logger.js';

/**
 * The PLEG's two modes, as the kubelet's: polling every period when the runtime has no event stream
 * (or it broke), and relisting on runtime events, with a slow safety-net relist, while a stream is
 * open. The runtime here is a table the test edits, and an event stream the test drives.
 */

const PERIOD = 50; // evented safety net: 10 x PERIOD = 500 ms
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stream {
  change(): void;
  ended(err: Error): void;
}

function table(events: 'none' | 'unimplemented' | 'stream') {
  const sandboxes: PodSandbox[] = [];
  const containers: Container[] = [];
  const streams: Stream[] = [];
  let relists = 0;
  const labels = (uid: string) => ({ [LABEL_MANAGED]: 'true', [LABEL_POD_UID]: uid });
  const runtime = {
    listPodSandboxes: async () => {
      relists++;
      return [...sandboxes];
    },
    listContainers: async () => [...containers],
    ...(events === 'none' ? {} : {
      watchChanges(h: Stream) {
        streams.push(h);
        if (events === 'unimplemented') queueMicrotask(() => h.ended(new Error('UNIMPLEMENTED')));
        return { stop: () => undefined };
      },
    }),
  } as unknown as ContainerRuntime;
  return {
    runtime,
    streams,
    relists: () => relists,
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

async function withPleg(rt: ContainerRuntime, fn: (p: Pleg, changes: string[][]) => Promise<void>): Promise<void> {
  const changes: string[][] = [];
  const p = new Pleg(rt, PERIOD, (changed) => changed.length && changes.push(changed), quietLogger);
  p.start();
  try {
    await fn(p, changes);
  } finally {
    await p.stop();
  }
}

/** Relists counted over `ms`. */
async function relistsDuring(t: { relists(): number }, ms: number): Promise<number> {
  const before = t.relists();
  await sleep(ms);
  return t.relists() - before;
}

describe('Pleg modes', () => {
  it('polls every period when the runtime has no event stream', async () => {
    const t = table('none');
    await withPleg(t.runtime, async (p, changes) => {
      assert.ok((await relistsDuring(t, 1000)) >= 6, 'a relist about every 50 ms');
      assert.equal(p.isEvented(), false);
      t.addPod('a');
      await sleep(400);
      assert.deepEqual(changes.at(-1), ['a']);
    });
  });

  it('polls, and keeps trying to subscribe, when the runtime cannot serve a stream', async () => {
    const t = table('unimplemented');
    await withPleg(t.runtime, async (p) => {
      assert.ok((await relistsDuring(t, 1200)) >= 6);
      assert.equal(p.isEvented(), false);
      assert.ok(t.streams.length >= 2, `resubscribed after a second (${t.streams.length} subscriptions)`);
    });
  });

  it('relists on events while a stream is open, with a slow safety net, and polls again when it ends', async () => {
    const t = table('stream');
    t.addPod('a');
    await withPleg(t.runtime, async (p, changes) => {
      await sleep(2300); // an open stream counts as live after 2 s
      assert.equal(p.isEvented(), true);
      await sleep(1200); // past the confirming relist after subscribing
      const idle = await relistsDuring(t, 1600);
      assert.ok(idle >= 1 && idle <= 5, `safety-net relists only (every 500 ms), saw ${idle}`);

      // A container exits: the event brings a relist within ~100 ms, not at the next safety net.
      t.exit('a');
      const before = changes.length;
      t.streams[0]!.change();
      await sleep(300);
      assert.equal(changes.length, before + 1, 'the event was followed by a relist');
      assert.deepEqual(changes.at(-1), ['a']);

      // The stream breaks: back to polling at once.
      t.streams[0]!.ended(new Error('connection lost'));
      assert.equal(p.isEvented(), false);
      assert.ok((await relistsDuring(t, 800)) >= 5, 'polling again');
      assert.ok(t.streams.length >= 1);
    });
  });

  it('relists again after an event, for a change the runtime records late', async () => {
    const t = table('stream');
    t.addPod('b');
    await withPleg(t.runtime, async (_p, changes) => {
      await sleep(2300);
      t.streams[0]!.change();
      await sleep(150); // the first relist ran and saw nothing new
      const seen = changes.length;
      t.exit('b'); // the runtime records the exit only now
      await sleep(1300);
      assert.equal(changes.length, seen + 1, 'the confirming relist about 1 s later saw it');
      assert.deepEqual(changes.at(-1), ['b']);
    });
  });
});
