/**
 * Upstream Kubernetes v1.32's API definitions, read from the models of `@kubernetes/client-node@1.1.2`
 * (installed under the exact, lock-file-checksummed alias `k8s-api-1.32`), which its authors generate
 * from upstream's OpenAPI spec v1.32.0: per definition, each field's JSON name, type (nested model
 * names, `Array<X>`, `{ [key: string]: X; }`) and format come from the model's attributeTypeMap, and
 * which fields are required from its .d.ts (non-optional properties). The package drops upstream's
 * enum lists and x-kubernetes-* extensions, so those are checked elsewhere (see drift.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface UpstreamField {
  type: string;
  format: string;
}

export interface UpstreamModel {
  name: string;
  fields: Map<string, UpstreamField>;
  required: Set<string>;
}

const require = createRequire(import.meta.url);

/** The models folder of the pinned package. */
export function modelsDir(): string {
  return join(dirname(require.resolve('k8s-api-1.32')), 'gen', 'models');
}

/** The OpenAPI spec version the models were generated from ("v1.32.0"), from a model's header. */
export function specVersion(): string {
  const head = readFileSync(join(modelsDir(), 'V1Pod.js'), 'utf8');
  return /OpenAPI spec version: (\S+)/.exec(head)?.[1] ?? '';
}

/** Every model name the package has (V1Pod, CoreV1EndpointPort, ...). */
export function modelNames(): Set<string> {
  return new Set(readdirSync(modelsDir()).filter((f) => f.endsWith('.d.ts')).map((f) => f.slice(0, -'.d.ts'.length)));
}

/** One model's fields and required set, or undefined when the package has no such model. */
export async function loadModel(name: string): Promise<UpstreamModel | undefined> {
  const dir = modelsDir();
  let mod: Record<string, { attributeTypeMap?: { name: string; baseName: string; type: string; format: string }[] }>;
  try {
    mod = await import(join(dir, `${name}.js`)) as typeof mod;
  } catch {
    return undefined;
  }
  const cls = mod[name];
  if (!cls?.attributeTypeMap) return undefined;
  const fields = new Map<string, UpstreamField>();
  const jsonName = new Map<string, string>();
  for (const a of cls.attributeTypeMap) {
    fields.set(a.baseName, { type: a.type, format: a.format });
    jsonName.set(a.name, a.baseName);
  }
  // `'name': T;` is required, `'name'?: T;` is not (the generator's rendering of `required`).
  const dts = readFileSync(join(dir, `${name}.d.ts`), 'utf8');
  const required = new Set<string>();
  for (const m of dts.matchAll(/^\s+'([^']+)'(\?)?: /gm)) if (!m[2] && jsonName.has(m[1]!)) required.add(jsonName.get(m[1]!)!);
  return { name, fields, required };
}
