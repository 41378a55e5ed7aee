import { createHash } from 'node:crypto';
import { RuntimeError, type Image, type ImageFsInfo } from '../types.js';

/**
 * The fake runtime's image store: the images present (by id, named by their normalized refs), the
 * refs a registry would not serve, and the image filesystem imageFsInfo reports. It does not record
 * calls or inject failures: FakeRuntime does that before delegating here.
 */

const imageIdFor = (ref: string) => `sha256:${createHash('sha256').update(normalizeRef(ref)).digest('hex')}`;

/** "busybox" -> "docker.io/library/busybox:latest", as containerd names it. */
export function normalizeRef(ref: string): string {
  if (ref.startsWith('sha256:')) return ref;
  let name = ref;
  const firstSlash = name.indexOf('/');
  const first = firstSlash < 0 ? '' : name.slice(0, firstSlash);
  if (firstSlash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name += ':latest';
  return name;
}

export class FakeImages {
  private readonly images = new Map<string, Image>(); // by id
  private readonly missing = new Map<string, string>(); // normalized ref -> pull error
  /** The image filesystem: its size and the bytes on it that are not images (images add their sizes). */
  private imageFs = { capacityBytes: 100 * 2 ** 30, otherUsedBytes: 0 };

  /** Makes an image present, as if pulled or imported (default size 1 MB, not pinned, no repo digest). */
  add(ref: string, opts: { size?: number; pinned?: boolean; repoDigests?: string[] } = {}): Image {
    const id = imageIdFor(ref);
    const existing = this.images.get(id);
    if (existing) return existing;
    const img: Image = { id, repoTags: [normalizeRef(ref)], repoDigests: opts.repoDigests ?? [], size: opts.size ?? 1_000_000, pinned: opts.pinned ?? false };
    this.images.set(id, img);
    return img;
  }

  /** See FakeRuntime.setImageFs. */
  setFs(fs: { capacityBytes: number; otherUsedBytes?: number }): void {
    this.imageFs = { capacityBytes: fs.capacityBytes, otherUsedBytes: fs.otherUsedBytes ?? 0 };
  }

  /** Pulling `ref` fails as a registry without it would (default message: "not found"). */
  setMissing(ref: string, message?: string): void {
    this.missing.set(normalizeRef(ref), message ?? `failed to resolve reference "${normalizeRef(ref)}": not found`);
  }

  /** The image by id, or by any ref that normalizes to one of its tags. */
  find(ref: string): Image | undefined {
    if (this.images.has(ref)) return this.images.get(ref);
    const n = normalizeRef(ref);
    return [...this.images.values()].find((i) => i.repoTags.includes(n));
  }

  pull(image: string): string {
    const err = this.missing.get(normalizeRef(image));
    // containerd answers a reference the registry does not have with gRPC NotFound.
    if (err) throw new RuntimeError('ImagePull', `failed to pull and unpack image "${normalizeRef(image)}": ${err}`, 'PullImage', 5);
    return this.add(image).id;
  }

  status(image: string): Image | null {
    const img = this.find(image);
    return img ? structuredClone(img) : null;
  }

  remove(image: string): void {
    const img = this.find(image);
    if (img) this.images.delete(img.id);
  }

  list(): Image[] {
    return [...this.images.values()].map((i) => structuredClone(i));
  }

  fsInfo(): ImageFsInfo {
    const usedBytes = [...this.images.values()].reduce((n, i) => n + i.size, 0);
    const { capacityBytes, otherUsedBytes } = this.imageFs;
    return { mountpoint: '/fake/images', usedBytes, capacityBytes, availableBytes: Math.max(0, capacityBytes - otherUsedBytes - usedBytes) };
  }
}
