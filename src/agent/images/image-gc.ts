/**
 * Image garbage collection, as the kubelet's realImageGCManager does it
 * (pkg/kubelet/images/image_gc_manager.go): each pass records when every image was first seen and
 * last used by a container (running or exited), then removes unused images
 *   1. by age: unused longer than the maximum GC age (once the agent has run that long), and
 *   2. by space: when the image filesystem is at or above the high threshold, least recently used
 *      first (ties: first seen earliest), skipping images younger than the minimum GC age, until
 *      the freed bytes bring usage down to the low threshold.
 * Never removed: images a container references, images the runtime pins, and the sandbox (pause)
 * image (containerd 1.6 does not pin it, and Bosun's is imported on the node, not pullable).
 *
 * The selection is pure functions of the records, the runtime state and the clock; the collector
 * only reads the runtime, applies them and removes images. Records live in memory, as the
 * kubelet's do: a restarted agent sees every image as new (so waits the minimum age again).
 */
import type { Logger } from '../../controller-runtime/log.js';
import type { Container, ContainerRuntime, Image } from '../runtime/types.js';
import { formatDuration, type ImageGCPolicy } from './image-gc-policy.js';

/** What the collector knows of one image (the kubelet's imageRecord). Times are epoch ms. */
export interface ImageRecord {
  id: string;
  repoTags: string[];
  firstDetected: number;
  /** Last pass that saw a container using it; 0 if never seen in use. */
  lastUsed: number;
  size: number;
  pinned: boolean;
}

/** Images by id. */
export type ImageRecords = Map<string, ImageRecord>;

/**
 * Ids of the images `containers` use: each container's imageRef (the image id, what the kubelet
 * keys on), and its image when that names a present image by id or tag.
 */
export function imagesInUse(images: readonly Image[], containers: readonly Container[]): Set<string> {
  const byRef = new Map<string, string>();
  for (const i of images) {
    byRef.set(i.id, i.id);
    for (const t of i.repoTags) byRef.set(t, i.id);
    for (const d of i.repoDigests) byRef.set(d, i.id);
  }
  const used = new Set<string>();
  for (const c of containers) {
    if (c.imageRef) used.add(byRef.get(c.imageRef) ?? c.imageRef);
    const id = c.image ? byRef.get(c.image) : undefined;
    if (id) used.add(id);
  }
  return used;
}

/**
 * The kubelet's detectImages: adds images seen for the first time (firstDetected = now), marks
 * those in use (lastUsed = now), refreshes size and pinned, forgets images that are gone.
 */
export function detectImages(records: ImageRecords, images: readonly Image[], inUse: ReadonlySet<string>, now: number): void {
  const present = new Set<string>();
  for (const i of images) {
    present.add(i.id);
    let r = records.get(i.id);
    if (!r) {
      r = { id: i.id, repoTags: i.repoTags, firstDetected: now, lastUsed: 0, size: i.size, pinned: i.pinned };
      records.set(i.id, r);
    }
    if (inUse.has(i.id)) r.lastUsed = now;
    r.repoTags = i.repoTags;
    r.size = i.size;
    r.pinned = i.pinned;
  }
  for (const id of records.keys()) if (!present.has(id)) records.delete(id);
}

/**
 * The kubelet's imagesInEvictionOrder: the images GC may remove (not in use, not pinned, not in
 * `keep`), least recently used first, ties broken by earliest first detection.
 */
export function imagesInEvictionOrder(records: ImageRecords, inUse: ReadonlySet<string>, keep: ReadonlySet<string>): ImageRecord[] {
  return [...records.values()]
    .filter((r) => !inUse.has(r.id) && !r.pinned && !keep.has(r.id))
    .sort((a, b) => (a.lastUsed === b.lastUsed ? a.firstDetected - b.firstDetected : a.lastUsed - b.lastUsed));
}

/**
 * The kubelet's freeOldImages selection: with a maximum age, and only once GC has been running
 * longer than it (`beganGC`), the candidates unused for longer than it. An image never seen in use
 * counts as unused since it was first detected (the kubelet measures from a zero lastUsed, which
 * would take an image pulled for a container that does not exist yet).
 */
export function selectOldImages(order: readonly ImageRecord[], policy: ImageGCPolicy, now: number, beganGC: number): ImageRecord[] {
  if (policy.maxAgeMs === 0 || now - beganGC <= policy.maxAgeMs) return [];
  return order.filter((r) => now - (r.lastUsed || r.firstDetected) > policy.maxAgeMs);
}

/** Capacity and free space of the image filesystem, in bytes. */
export interface FsUsage {
  capacityBytes: number;
  availableBytes: number;
}

/**
 * The kubelet's threshold check: usage percent (100 - available*100/capacity, integer division as
 * in Go) and, at or above the high threshold, the bytes to free to reach the low one (0 below it).
 * Throws on a zero capacity, as the kubelet fails the pass (InvalidDiskCapacity).
 */
export function spaceToFree(fs: FsUsage, policy: ImageGCPolicy): { usagePercent: number; amountToFree: number } {
  const capacity = fs.capacityBytes;
  if (capacity <= 0) throw new ImageGCError('InvalidDiskCapacity', 'invalid capacity 0 on image filesystem');
  const available = Math.min(fs.availableBytes, capacity);
  const usagePercent = 100 - Math.trunc((available * 100) / capacity);
  if (usagePercent < policy.highThresholdPercent) return { usagePercent, amountToFree: 0 };
  return { usagePercent, amountToFree: Math.trunc((capacity * (100 - policy.lowThresholdPercent)) / 100) - available };
}

/** The kubelet's freeSpace filter: candidates used before `now` and at least the minimum GC age old. */
export function eligibleForSpace(order: readonly ImageRecord[], policy: ImageGCPolicy, now: number): ImageRecord[] {
  return order.filter((r) => r.lastUsed < now && now - r.firstDetected >= policy.minAgeMs);
}

/** The prefix of `eligible` whose sizes add up to at least `amount` (all of it if they do not). */
export function takeUntilFreed(eligible: readonly ImageRecord[], amount: number): ImageRecord[] {
  const out: ImageRecord[] = [];
  let freed = 0;
  for (const r of eligible) {
    if (freed >= amount) break;
    out.push(r);
    freed += r.size;
  }
  return out;
}

/** A failed pass; `reason` is the Node event the kubelet records for it, when it records one. */
export class ImageGCError extends Error {
  override readonly name = 'ImageGCError';
  constructor(readonly reason: 'InvalidDiskCapacity' | 'FreeDiskSpaceFailed' | undefined, message: string) {
    super(message);
  }
}

/** One removed image. */
export interface RemovedImage {
  id: string;
  repoTags: string[];
  size: number;
  reason: 'age' | 'space';
}

/** What a pass did. */
export interface ImageGCResult {
  removed: RemovedImage[];
  /** Image filesystem usage before the space step (absent when the runtime cannot tell). */
  usagePercent?: number;
  amountToFree: number;
  freed: number;
}

export interface ImageGarbageCollectorOptions {
  runtime: ContainerRuntime;
  policy: ImageGCPolicy;
  /** The sandbox (pause) image reference, never removed. */
  sandboxImage?: string;
  log: Logger;
  now?: () => number;
}

/** Runs GC passes over one runtime; keeps the image records between passes. */
export class ImageGarbageCollector {
  readonly records: ImageRecords = new Map();
  /** When GC started: the maximum age applies only after this long (the kubelet's beganGC). */
  readonly beganGC: number;
  private readonly now: () => number;
  private warnedNoFsInfo = false;

  constructor(private readonly o: ImageGarbageCollectorOptions) {
    this.now = o.now ?? Date.now;
    this.beganGC = this.now();
  }

  /** One pass (the kubelet's GarbageCollect). Throws ImageGCError/RuntimeError when it fails. */
  async garbageCollect(): Promise<ImageGCResult> {
    const { runtime, policy } = this.o;
    const freeTime = this.now();
    const [images, containers] = await Promise.all([runtime.listImages(), runtime.listContainers()]);
    const inUse = imagesInUse(images, containers);
    detectImages(this.records, images, inUse, freeTime);
    const keep = new Set<string>();
    if (this.o.sandboxImage) {
      const sandbox = await runtime.imageStatus(this.o.sandboxImage);
      if (sandbox) keep.add(sandbox.id);
    }
    let order = imagesInEvictionOrder(this.records, inUse, keep);
    const result: ImageGCResult = { removed: [], amountToFree: 0, freed: 0 };

    const old = selectOldImages(order, policy, freeTime, this.beganGC);
    const ageErrors = await this.removeAll(old, 'age', result);
    if (old.length) order = order.filter((r) => !this.removedIds(result).has(r.id));
    if (ageErrors.length) {
      throw new ImageGCError(undefined, `wanted to free images older than ${formatDuration(policy.maxAgeMs)}, encountered errors in image deletion: ${joinErrors(ageErrors)}`);
    }

    if (!runtime.imageFsInfo) {
      if (!this.warnedNoFsInfo) this.o.log.info({}, 'the container runtime reports no image filesystem usage: image GC by disk usage is off');
      this.warnedNoFsInfo = true;
      return result;
    }
    const { usagePercent, amountToFree } = spaceToFree(await runtime.imageFsInfo(), policy);
    result.usagePercent = usagePercent;
    result.amountToFree = amountToFree;
    if (usagePercent < policy.highThresholdPercent) return result;
    this.o.log.info({ usage: usagePercent, highThreshold: policy.highThresholdPercent, lowThreshold: policy.lowThresholdPercent, amountToFree },
      'disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold');

    // Walk the eligible images in order until enough is freed; a failed removal moves on to the next.
    const errors: Error[] = [];
    for (const r of eligibleForSpace(order, policy, freeTime)) {
      if (result.freed >= amountToFree) break;
      errors.push(...(await this.removeAll([r], 'space', result)));
    }
    if (errors.length) {
      throw new ImageGCError(undefined, `wanted to free ${amountToFree} bytes, but freed ${result.freed} bytes space with errors in image deletion: ${joinErrors(errors)}`);
    }
    if (result.freed < amountToFree) {
      throw new ImageGCError('FreeDiskSpaceFailed',
        `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${result.freed} bytes eligible to free.`);
    }
    return result;
  }

  private removedIds(result: ImageGCResult): Set<string> {
    return new Set(result.removed.map((r) => r.id));
  }

  /** Removes each image, recording successes in `result`; returns the failures. */
  private async removeAll(records: readonly ImageRecord[], reason: RemovedImage['reason'], result: ImageGCResult): Promise<Error[]> {
    const errors: Error[] = [];
    for (const r of records) {
      this.o.log.info({ imageID: r.id, tags: r.repoTags, size: r.size, reason }, 'removing image to free bytes');
      try {
        await this.o.runtime.removeImage(r.id);
      } catch (err) {
        errors.push(err as Error);
        continue;
      }
      this.records.delete(r.id);
      result.removed.push({ id: r.id, repoTags: r.repoTags, size: r.size, reason });
      if (reason === 'space') result.freed += r.size;
    }
    return errors;
  }
}

function joinErrors(errs: readonly Error[]): string {
  return errs.length === 1 ? errs[0]!.message : `[${errs.map((e) => e.message).join(', ')}]`;
}
