/**
 * The images a node's status.images lists, by name (upstream's NodeInfo.ImageStates), and how many
 * of the cache's nodes have each one (its ImageStateSummary.NumNodes, kept by the cache as nodes
 * come and go, so a cycle never counts them across every node).
 */
import type { Node } from './types.js';

/** Each name a node's status.images gives, with its size (the first image naming it). Nodes are immutable, so this is kept per object. */
const imageSizesOf = new WeakMap<Node, Map<string, number>>();
export function nodeImageSizes(node: Node): ReadonlyMap<string, number> {
  let sizes = imageSizesOf.get(node);
  if (!sizes) {
    sizes = new Map();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) if (!sizes.has(n)) sizes.set(n, Number(img.sizeBytes ?? 0));
    }
    imageSizesOf.set(node, sizes);
  }
  return sizes;
}

/** Image name -> number of nodes listing it. */
export type ImageNodeCounts = ReadonlyMap<string, number>;

/** `counts` with `before`'s names taken away and `after`'s added; the same map when both list the same names. */
export function recount(counts: ImageNodeCounts, before: Node | undefined, after: Node | undefined): ImageNodeCounts {
  const gone = before ? nodeImageSizes(before) : new Map<string, number>();
  const come = after ? nodeImageSizes(after) : new Map<string, number>();
  if (gone.size === come.size && [...gone.keys()].every((n) => come.has(n))) return counts;
  const next = new Map(counts);
  for (const n of gone.keys()) {
    const c = (next.get(n) ?? 0) - 1;
    if (c > 0) next.set(n, c);
    else next.delete(n);
  }
  for (const n of come.keys()) next.set(n, (next.get(n) ?? 0) + 1);
  return next;
}

/** The counts over `nodes` (snapshots built without a cache). */
export function countImages(nodes: readonly Node[]): ImageNodeCounts {
  let counts: ImageNodeCounts = new Map();
  for (const n of nodes) counts = recount(counts, undefined, n);
  return counts;
}
