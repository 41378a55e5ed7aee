/**
 * ImageLocality (upstream 1.32 imagelocality): prefers nodes that already have the pod's images,
 * from their status.images. Each container's (init containers' too) image the node has adds its
 * size scaled by the share of all nodes that have it (the "spread", against the node heating
 * problem: an image on every node says nothing about this one); the sum, clamped to
 * [23 MB, 1000 MB x containers], maps linearly onto [0, 100].
 */
import type { ScorePlugin, PreScorePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import { nodeImageSizes } from '../../framework/node-images.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';

export { nodeImageSizes };

export const NAME = 'ImageLocality';
const STATE_KEY = `PreScore${NAME}`;

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/**
 * The name the node status is searched for (upstream normalizedImageName): `:latest` added when
 * the reference has no tag (no `:` after the last `/`); a digest reference stays as it is. Like
 * upstream, no registry is added: `nginx` finds `nginx:latest`, not `docker.io/library/nginx:latest`.
 */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/** Upstream calculatePriority: the clamped sum mapped onto [0, MAX_NODE_SCORE], integer division. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const sum = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.floor((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

interface PreScoreState {
  /** The pod's normalized image names, one per container (repeats count again, as upstream sums per container). */
  images: string[];
  /** Name -> the share of all nodes in the snapshot that have it (NumNodes / totalNumNodes). */
  spread: Map<string, number>;
}

export function newImageLocality(): PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    // As upstream, the spread is the share of all the snapshot's nodes (not only the feasible ones)
    // that have the image, from the counts the cache keeps as nodes change (never a scan per pod).
    preScore(state, pod, _nodes, snapshot) {
      const spec = pod.pod.spec;
      const images = [...(spec.initContainers ?? []), ...spec.containers].map((c) => normalizedImageName(c.image ?? ''));
      const spread = new Map<string, number>();
      for (const name of new Set(images)) {
        const n = snapshot.nodesWithImage(name);
        if (n > 0) spread.set(name, n / snapshot.nodes.length);
      }
      // No node has any of the images: every node would score 0.
      if (spread.size === 0) return Status.SKIP;
      state.write(STATE_KEY, { images, spread } satisfies PreScoreState);
      return Status.SUCCESS;
    },
    score(state, _pod, node) {
      const { images, spread } = state.read<PreScoreState>(STATE_KEY);
      const sizes = nodeImageSizes(node.node);
      let sum = 0;
      for (const name of images) {
        const size = sizes.get(name);
        if (size !== undefined) sum += Math.trunc(size * spread.get(name)!);
      }
      return calculatePriority(sum, images.length);
    },
  };
}
