/**
 * Image GC selection, table-driven against the kubelet's rules (pkg/kubelet/images/image_gc_manager.go
 * and its tests), then whole passes over the fake runtime with a test clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '../../controller-runtime/log.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import type { Container, Image } from '../runtime/types.js';
import {
  detectImages,
  eligibleForSpace,
  ImageGarbageCollector,
  ImageGCError,
  imagesInEvictionOrder,
  imagesInUse,
  selectOldImages,
  spaceToFree,
  takeUntilFreed,
  type ImageRecord,
  type ImageRecords,
} from './image-gc.js';
import { DEFAULT_IMAGE_GC_POLICY, formatDuration, imageGCEnabled, validateImageGCPolicy, type ImageGCPolicy } from './image-gc-policy.js';

const MIN = 60_000;
const policy = (p: Partial<ImageGCPolicy> = {}): ImageGCPolicy => ({ ...DEFAULT_IMAGE_GC_POLICY, ...p });

/** A logger that keeps what was logged, for asserting that removals are logged. */
function memLogger(lines: string[] = []): Logger {
  const l: Logger = {
    debug: () => {},
    info: (o, m) => void lines.push(`${m ?? ''} ${JSON.stringify(o)}`),
    warn: (o, m) => void lines.push(`${m ?? ''} ${JSON.stringify(o)}`),
    error: (o, m) => void lines.push(`${m ?? ''} ${JSON.stringify(o)}`),
    child: () => l,
  };
  return l;
}

const rec = (id: string, o: Partial<ImageRecord> = {}): ImageRecord => ({ id, repoTags: [], firstDetected: 0, lastUsed: 0, size: 100, pinned: false, ...o });
const recs = (...rs: ImageRecord[]): ImageRecords => new Map(rs.map((r) => [r.id, r]));
const ids = (rs: readonly ImageRecord[]) => rs.map((r) => r.id);

describe('image GC selection', () => {
  it('orders candidates least recently used first, ties by first detection; skips in-use, pinned and kept images', () => {
    const cases: Array<{ name: string; records: ImageRecord[]; inUse?: string[]; keep?: string[]; want: string[] }> = [
      {
        name: 'LRU order',
        records: [rec('c', { lastUsed: 30 }), rec('a', { lastUsed: 10 }), rec('b', { lastUsed: 20 })],
        want: ['a', 'b', 'c'],
      },
      {
        name: 'never used goes first; ties broken by first detection',
        records: [rec('used', { lastUsed: 5, firstDetected: 1 }), rec('late', { firstDetected: 9 }), rec('early', { firstDetected: 3 })],
        want: ['early', 'late', 'used'],
      },
      { name: 'in-use image kept', records: [rec('a'), rec('b')], inUse: ['a'], want: ['b'] },
      { name: 'pinned image kept', records: [rec('a', { pinned: true }), rec('b')], want: ['b'] },
      { name: 'sandbox image kept', records: [rec('pause'), rec('b')], keep: ['pause'], want: ['b'] },
    ];
    for (const c of cases) {
      const got = imagesInEvictionOrder(recs(...c.records), new Set(c.inUse ?? []), new Set(c.keep ?? []));
      assert.deepEqual(ids(got), c.want, c.name);
    }
  });

  it('computes usage and the bytes to free as the kubelet does (integer percent, down to the low threshold)', () => {
    const cases: Array<{ name: string; capacity: number; available: number; p?: Partial<ImageGCPolicy>; usage: number; toFree: number }> = [
      { name: 'below high: nothing to free', capacity: 1000, available: 200, usage: 80, toFree: 0 },
      { name: 'at high: free down to low', capacity: 1000, available: 150, usage: 85, toFree: 50 },
      { name: 'above high', capacity: 1000, available: 50, usage: 95, toFree: 150 },
      // kubelet: usagePercent := 100 - int(available*100/capacity) truncates, so 84.9 % used is 85.
      { name: 'truncation rounds usage up', capacity: 1000, available: 151, usage: 85, toFree: 49 },
      { name: 'available above capacity is capped', capacity: 1000, available: 5000, usage: 0, toFree: 0 },
      { name: 'high 0 / low 0 frees everything used', capacity: 1000, available: 600, p: { highThresholdPercent: 0, lowThresholdPercent: 0 }, usage: 40, toFree: 400 },
    ];
    for (const c of cases) {
      const got = spaceToFree({ capacityBytes: c.capacity, availableBytes: c.available }, policy(c.p));
      assert.deepEqual(got, { usagePercent: c.usage, amountToFree: c.toFree }, c.name);
    }
    assert.throws(() => spaceToFree({ capacityBytes: 0, availableBytes: 0 }, policy()), (e: unknown) => e instanceof ImageGCError && e.reason === 'InvalidDiskCapacity');
  });

  it('takes only images past the minimum age, and stops once enough is freed', () => {
    const now = 10 * MIN;
    const order = [rec('old1', { firstDetected: 0, size: 30 }), rec('young', { firstDetected: now - MIN, size: 500 }), rec('old2', { firstDetected: 0, size: 30 }), rec('old3', { firstDetected: 0, size: 30 }), rec('edge', { firstDetected: now - 2 * MIN, size: 30 })];
    const cases: Array<{ name: string; amount: number; p?: Partial<ImageGCPolicy>; want: string[] }> = [
      { name: 'min age 2m skips the 1-minute-old image; exactly 2m is old enough', amount: 1000, want: ['old1', 'old2', 'old3', 'edge'] },
      { name: 'stops at the low threshold', amount: 50, want: ['old1', 'old2'] },
      { name: 'one image is enough', amount: 30, want: ['old1'] },
      { name: 'min age 0 takes the young one in LRU order', amount: 100, p: { minAgeMs: 0 }, want: ['old1', 'young'] },
      { name: 'nothing to free', amount: 0, want: [] },
    ];
    for (const c of cases) {
      assert.deepEqual(ids(takeUntilFreed(eligibleForSpace(order, policy(c.p), now), c.amount)), c.want, c.name);
    }
    // An image used in this very pass is never eligible (the kubelet compares lastUsed with freeTime).
    assert.deepEqual(ids(eligibleForSpace([rec('now', { lastUsed: now })], policy({ minAgeMs: 0 }), now)), []);
  });

  it('removes images unused longer than the maximum age, once GC has run that long', () => {
    const h = 60 * MIN;
    const order = [rec('stale', { firstDetected: 0, lastUsed: h }), rec('fresh', { firstDetected: 0, lastUsed: 5 * h }), rec('never-used', { firstDetected: 2 * h }), rec('new', { firstDetected: 5 * h })];
    const cases: Array<{ name: string; maxAge: number; now: number; beganGC: number; want: string[] }> = [
      { name: 'off at 0', maxAge: 0, now: 6 * h, beganGC: 0, want: [] },
      { name: 'older than max age since last use', maxAge: 2 * h, now: 6 * h, beganGC: 0, want: ['stale', 'never-used'] },
      { name: 'not before GC has run max age', maxAge: 2 * h, now: 6 * h, beganGC: 4 * h, want: [] },
      { name: 'exactly max age is not older', maxAge: 4 * h, now: 6 * h, beganGC: 0, want: ['stale'] },
    ];
    for (const c of cases) assert.deepEqual(ids(selectOldImages(order, policy({ maxAgeMs: c.maxAge }), c.now, c.beganGC)), c.want, c.name);
  });

  it('records first detection and last use across passes, and forgets removed images', () => {
    const img = (id: string): Image => ({ id, repoTags: [`t/${id}:1`], repoDigests: [], size: 10, pinned: false });
    const records: ImageRecords = new Map();
    detectImages(records, [img('a'), img('b')], new Set(['a']), 100);
    detectImages(records, [img('a'), img('b'), img('c')], new Set(['b']), 200);
    assert.deepEqual([...records.values()].map((r) => [r.id, r.firstDetected, r.lastUsed]), [['a', 100, 100], ['b', 100, 200], ['c', 200, 0]]);
    detectImages(records, [img('c')], new Set(), 300);
    assert.deepEqual([...records.keys()], ['c']);
  });

  it('counts an image in use by a container of any state, by imageRef or by tag', () => {
    const images: Image[] = [
      { id: 'sha256:a', repoTags: ['x/a:1'], repoDigests: [], size: 1, pinned: false },
      { id: 'sha256:b', repoTags: ['x/b:1'], repoDigests: [], size: 1, pinned: false },
      { id: 'sha256:c', repoTags: ['x/c:1'], repoDigests: [], size: 1, pinned: false },
    ];
    const c = (image: string, imageRef: string, state: Container['state']): Container =>
      ({ id: image, podSandboxId: 's', metadata: { name: 'n', attempt: 0 }, image, imageRef, state, createdAt: new Date(0), labels: {}, annotations: {} });
    const used = imagesInUse(images, [c('x/a:1', 'sha256:a', 'CONTAINER_EXITED'), c('x/b:1', '', 'CONTAINER_RUNNING')]);
    assert.deepEqual([...used].sort(), ['sha256:a', 'sha256:b']);
  });
});

describe('image GC policy', () => {
  it('validates as the kubelet configuration does', () => {
    const cases: Array<{ p: Partial<ImageGCPolicy>; errs: RegExp[] }> = [
      { p: {}, errs: [] },
      { p: { highThresholdPercent: 100 }, errs: [] },
      { p: { highThresholdPercent: 101 }, errs: [/imageGCHighThresholdPercent \(--image-gc-high-threshold\) 101 must be between 0 and 100/] },
      { p: { lowThresholdPercent: -1 }, errs: [/imageGCLowThresholdPercent \(--image-gc-low-threshold\) -1 must be between 0 and 100/] },
      { p: { lowThresholdPercent: 85 }, errs: [/imageGCLowThresholdPercent \(--image-gc-low-threshold\) 85 must be less than imageGCHighThresholdPercent \(--image-gc-high-threshold\) 85/] },
      { p: { maxAgeMs: MIN }, errs: [/imageMaximumGCAge 1m0s must be greater than imageMinimumGCAge 2m0s/] },
      { p: { minAgeMs: -1000 }, errs: [/imageMinimumGCAge -1s must not be negative/] },
      { p: { maxAgeMs: 3 * MIN }, errs: [] },
    ];
    for (const c of cases) {
      const errs = validateImageGCPolicy(policy(c.p));
      assert.equal(errs.length, c.errs.length, `${JSON.stringify(c.p)}: ${errs.join('; ')}`);
      c.errs.forEach((re, i) => assert.match(errs[i]!, re));
    }
    assert.equal(formatDuration(90 * MIN + 500), '1h30m0.5s');
  });

  it('is off only with high 100 and no maximum age', () => {
    assert.equal(imageGCEnabled(policy()), true);
    assert.equal(imageGCEnabled(policy({ highThresholdPercent: 100 })), false);
    assert.equal(imageGCEnabled(policy({ highThresholdPercent: 100, maxAgeMs: 3 * MIN })), true);
  });
});

describe('image GC pass over the fake runtime', () => {
  const GB = 1_000_000_000;

  /** A runtime with a 10 GB image filesystem, a pause image, one running container and unused images. */
  async function setup() {
    const rt = new FakeRuntime();
    rt.setImageFs({ capacityBytes: 10 * GB });
    rt.addImage('bosun.local/pause:1', { size: 1 * GB });
    rt.addImage('app:1', { size: 1 * GB });
    const sb = { metadata: { name: 'p', namespace: 'default', uid: 'u1', attempt: 0 } };
    const sid = await rt.runPodSandbox(sb);
    const cid = await rt.createContainer(sid, { metadata: { name: 'app', attempt: 0 }, image: 'app:1' }, sb);
    await rt.startContainer(cid);
    return { rt, cid, sb, sid };
  }

  it('frees LRU unused images down to the low threshold and keeps in-use, pinned and pause images', async () => {
    const { rt } = await setup();
    let now = 0;
    const lines: string[] = [];
    const gc = new ImageGarbageCollector({ runtime: rt, policy: policy(), sandboxImage: 'bosun.local/pause:1', log: memLogger(lines), now: () => now });
    rt.addImage('old:1', { size: 2 * GB });
    rt.addImage('older:1', { size: 2 * GB });
    rt.addImage('pinned:1', { size: 1 * GB, pinned: true });
    // 7 GB of images on 10 GB: 70 %, under the high threshold.
    let r = await gc.garbageCollect();
    assert.deepEqual(r, { removed: [], usagePercent: 70, amountToFree: 0, freed: 0 });

    // More images arrive: 9 GB is 90 % (>= 85), free down to 80 %: 1 GB needed.
    now += MIN;
    rt.addImage('new:1', { size: 2 * GB });
    // old:1 and older:1 were first seen at 0 (1 minute ago, under the 2 minute minimum): nothing eligible.
    await assert.rejects(gc.garbageCollect(), /only found 0 bytes eligible/);
    assert.equal((await rt.listImages()).length, 6);
    now += 5 * MIN;
    r = await gc.garbageCollect();
    assert.deepEqual(r.removed.map((i) => i.repoTags[0]), ['docker.io/library/old:1'], 'one LRU image, first detected earliest, is enough');
    assert.equal(r.freed, 2 * GB);
    const left = (await rt.listImages()).map((i) => i.repoTags[0]).sort();
    assert.deepEqual(left, ['bosun.local/pause:1', 'docker.io/library/app:1', 'docker.io/library/new:1', 'docker.io/library/older:1', 'docker.io/library/pinned:1']);
    assert.ok(lines.some((l) => l.startsWith('removing image to free bytes') && l.includes('docker.io/library/old:1')), lines.join('\n'));
  });

  it('fails with FreeDiskSpaceFailed when the eligible images are not enough', async () => {
    const { rt } = await setup();
    let now = 0;
    const gc = new ImageGarbageCollector({ runtime: rt, policy: policy(), sandboxImage: 'bosun.local/pause:1', log: memLogger(), now: () => now });
    rt.setImageFs({ capacityBytes: 10 * GB, otherUsedBytes: 7 * GB }); // 9 GB used: 1 GB to free
    rt.addImage('small:1', { size: GB / 2 });
    await gc.garbageCollect().catch(() => undefined);
    now += 3 * MIN;
    await assert.rejects(gc.garbageCollect(), (e: unknown) => e instanceof ImageGCError && e.reason === 'FreeDiskSpaceFailed'
      && /Attempted to free \d+ bytes, but only found 500000000 bytes eligible to free\./.test(e.message));
    assert.equal((await rt.imageStatus('small:1')), null, 'what was eligible is still removed');
    assert.ok(await rt.imageStatus('app:1'));
    assert.ok(await rt.imageStatus('bosun.local/pause:1'));
  });

  it('keeps the image of an exited container; frees it once the container is removed and the image ages', async () => {
    const { rt, cid } = await setup();
    let now = 0;
    const gc = new ImageGarbageCollector({ runtime: rt, policy: policy({ highThresholdPercent: 0, lowThresholdPercent: 0 }), sandboxImage: 'bosun.local/pause:1', log: memLogger(), now: () => now });
    rt.exitContainer(cid, 0);
    await gc.garbageCollect().catch(() => undefined);
    now += 10 * MIN;
    await gc.garbageCollect().catch(() => undefined);
    assert.ok(await rt.imageStatus('app:1'), 'an exited container still uses its image');
    await rt.removeContainer(cid);
    now += MIN;
    await gc.garbageCollect().catch(() => undefined);
    assert.equal(await rt.imageStatus('app:1'), null, 'last used 1 minute ago but first seen 11 minutes ago: past the minimum age');
    assert.ok(await rt.imageStatus('bosun.local/pause:1'));
  });

  it('removes images unused longer than the maximum age under the high threshold', async () => {
    const { rt } = await setup();
    let now = 0;
    const gc = new ImageGarbageCollector({ runtime: rt, policy: policy({ maxAgeMs: 60 * MIN }), sandboxImage: 'bosun.local/pause:1', log: memLogger(), now: () => now });
    rt.addImage('idle:1');
    await gc.garbageCollect();
    now += 30 * MIN;
    rt.addImage('later:1');
    await gc.garbageCollect();
    now += 31 * MIN;
    const r = await gc.garbageCollect();
    assert.deepEqual(r.removed.map((i) => [i.repoTags[0], i.reason]), [['docker.io/library/idle:1', 'age']]);
    assert.ok(await rt.imageStatus('later:1'));
    assert.ok(await rt.imageStatus('app:1'));
    assert.ok(await rt.imageStatus('bosun.local/pause:1'));
  });
});
