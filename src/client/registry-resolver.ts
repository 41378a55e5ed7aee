/** Kind lookup from the compiled-in registry of kinds (src/api/registry.ts): no I/O for built-in kinds. */
import { byKind } from '../api/registry.js';
import type { StaticKindResolver } from './kind-resolver.js';

export const registryKindResolver: StaticKindResolver = (group, version, kind) => {
  const d = byKind(group, version, kind);
  return d && { group: d.group, version: d.version, resource: d.plural, namespaced: d.namespaced, kind: d.kind };
};
