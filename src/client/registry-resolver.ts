/** Kind lookup from the compiled-in table of served kinds (src/api/builtin-resources.ts): no I/O for built-in kinds. */
import { builtinByKind } from '../api/builtin-resources.js';
import type { StaticKindResolver } from './kind-resolver.js';

export const registryKindResolver: StaticKindResolver = (group, version, kind) => {
  const d = builtinByKind(group, version, kind);
  return d && { group: d.group, version: d.version, resource: d.plural, namespaced: d.namespaced, kind: d.kind };
};
