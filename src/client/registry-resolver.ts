/** Kind lookup from the compiled-in table of served kinds (`resources` in resource-ref.ts): no I/O for built-in kinds. */
import type { StaticKindResolver } from './kind-resolver.js';
import { builtinByKind } from './resource-ref.js';

export const registryKindResolver: StaticKindResolver = (group, version, kind) => {
  const r = builtinByKind(group, version, kind);
  return r && { ...r };
};
