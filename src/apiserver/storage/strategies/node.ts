/** Nodes (pkg/registry/core/node): the node agent registers with its status, so create keeps it. */
import type { Strategy } from './types.js';

export const nodeStrategy: Strategy = {
  keepStatusOnCreate: true,
};
