import type { ContainerImage } from '../../api/kinds/index.js';
import type { Image } from '../runtime/types.js';

/**
 * node.status.images from the runtime's image list, as the kubelet's Images setter: the biggest
 * images first (sliceutils.ByImageSize: size descending, then id descending), at most
 * `maxImages` of them (--node-status-max-images, default 50; -1 for all), each named by its repo
 * digests and then its repo tags, at most MAX_NAMES_PER_IMAGE names.
 */

export const NODE_STATUS_MAX_IMAGES = 50;
/** Upstream's MaxNamesPerImageInNodeStatus. */
export const MAX_NAMES_PER_IMAGE = 5;

export function nodeImages(images: readonly Image[], maxImages = NODE_STATUS_MAX_IMAGES): ContainerImage[] {
  const sorted = [...images].sort((a, b) => b.size - a.size || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const kept = maxImages > -1 ? sorted.slice(0, maxImages) : sorted;
  return kept.map((i) => ({ names: [...i.repoDigests, ...i.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: i.size }));
}

/** Whether two image lists are the same (names and sizes, in order): the status patch leaves equal ones out. */
export function sameImages(a: readonly ContainerImage[] | undefined, b: readonly ContainerImage[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((img, i) => img.sizeBytes === y[i]!.sizeBytes
    && (img.names ?? []).length === (y[i]!.names ?? []).length && (img.names ?? []).every((n, j) => n === y[i]!.names![j]));
}
