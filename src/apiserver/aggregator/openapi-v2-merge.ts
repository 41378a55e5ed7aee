/**
 * kube-openapi's Swagger 2.0 aggregation (pkg/aggregator), as kube-aggregator applies it to an
 * extension's /openapi/v2: FilterSpecByPathsWithoutSideEffects keeps the paths under /apis/ and the
 * definitions they reach (transitively), and MergeSpecsIgnorePathConflictRenamingDefinitionsAndParameters
 * adds those definitions to the server's, a name already taken by a different schema renamed
 * `<name>_v2` (`_v3`, ...) with the extension's references rewritten to match. Bosun's own v2 document
 * lists no paths (openapi/documents.ts says why), so only definitions are merged here.
 */
import { isDeepStrictEqual } from 'node:util';

export type Definitions = Record<string, unknown>;

export interface SwaggerDocument {
  paths?: Record<string, unknown>;
  definitions?: Definitions;
}

const DEF = '#/definitions/';

/** Names of the definitions `value` refers to. */
function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(DEF)) out.add(v.slice(DEF.length));
      else refsIn(v, out);
    }
  }
}

/** The definitions an extension's document contributes: those its /apis/ paths reach. */
export function definitionsUnderApis(doc: SwaggerDocument): Definitions {
  const defs = doc.definitions ?? {};
  const reached = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) if (path.startsWith('/apis/')) refsIn(item, reached);
  const queue = [...reached];
  while (queue.length > 0) {
    const more = new Set<string>();
    refsIn(defs[queue.pop()!], more);
    for (const name of more) {
      if (reached.has(name)) continue;
      reached.add(name);
      queue.push(name);
    }
  }
  const out: Definitions = {};
  for (const name of [...reached].sort()) if (defs[name] !== undefined) out[name] = defs[name];
  return out;
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, renames));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const renamed = k === '$ref' && typeof v === 'string' && v.startsWith(DEF) ? renames.get(v.slice(DEF.length)) : undefined;
    out[k] = renamed ? DEF + renamed : rewriteRefs(v, renames);
  }
  return out;
}

/** Adds `extension`'s definitions to `into` (in place): equal ones shared, differing ones renamed. */
export function mergeDefinitions(into: Definitions, extension: Definitions): void {
  const renames = new Map<string, string>();
  const taken = (name: string): boolean => into[name] !== undefined || extension[name] !== undefined || [...renames.values()].includes(name);
  for (const [name, schema] of Object.entries(extension)) {
    if (into[name] === undefined || isDeepStrictEqual(into[name], schema)) continue;
    let i = 2;
    while (taken(`${name}_v${i}`)) i++;
    renames.set(name, `${name}_v${i}`);
  }
  for (const [name, schema] of Object.entries(extension)) {
    const target = renames.get(name) ?? name;
    if (into[target] === undefined) into[target] = renames.size > 0 ? rewriteRefs(schema, renames) : schema;
  }
}
