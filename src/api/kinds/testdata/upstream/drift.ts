/**
 * Compares the OpenAPI components Bosun serves for a kind (the registry's `openapi.schemas`, from
 * which /openapi/v2 and /openapi/v3 are built) with upstream v1.32's definitions (models.ts), one
 * line per difference, so that a test can diff them against a small allowlist of known, justified
 * ones. Lines read `<UpstreamModel>.<field>: <what>`, e.g. `V1DeploymentStatus.terminatingReplicas:
 * extra`. Each line also carries a path from the kind's root to the field, for the unknown-field check.
 */
import { loadModel, type UpstreamField, type UpstreamModel } from './models.js';

type Schema = Record<string, any>;
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export interface Drift {
  line: string;
  /** Where a missing field would sit in an object of the kind: `['spec', 'containers', 0]`. */
  path: (string | number)[];
  /** The Bosun object holding the field keeps fields it does not list (preserve-unknown). */
  loose: boolean;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The client's model name for an OpenAPI definition name: `io.k8s.api.apps.v1.DeploymentSpec` is
 * V1DeploymentSpec, unless the short name is taken by two groups, when the generator prefixes the
 * group (`io.k8s.api.core.v1.EndpointPort` is CoreV1EndpointPort).
 */
export function modelNameOf(definition: string, names: Set<string>): string | undefined {
  const parts = definition.split('.');
  const kind = parts.at(-1)!;
  const version = parts.at(-2)!;
  // io.k8s.api.<group>.<v>.<Kind>, or a server's own types: io.k8s.kube-aggregator.pkg.apis.<group>.<v>.<Kind>.
  const group = definition.startsWith('io.k8s.api.') ? parts[3]! : definition.includes('.pkg.apis.') ? parts.at(-3)! : '';
  const candidates = [group ? cap(group) + cap(version) + kind : '', cap(version) + kind];
  return candidates.find((c) => c && names.has(c));
}

function refName(s: Schema): string | undefined {
  const r = (s.allOf?.[0]?.$ref ?? s.$ref) as string | undefined;
  return r?.split('/').at(-1);
}

/** A Bosun field in the client's vocabulary: type `Array<V1Container>`, format `int32`. */
function bosunField(s: Schema, names: Set<string>): UpstreamField & { ref?: string; items?: Schema } {
  const ref = refName(s);
  if (ref === INT_OR_STRING) return { type: 'IntOrString', format: 'int-or-string' };
  if (ref === QUANTITY) return { type: 'string', format: '' };
  if (ref) return { type: modelNameOf(ref, names) ?? ref, format: '', ref };
  switch (s.type) {
    case 'string': return s.format === 'date-time' ? { type: 'Date', format: 'date-time' } : { type: 'string', format: s.format ?? '' };
    case 'integer': return { type: 'number', format: s.format ?? 'int32' };
    case 'number': return { type: 'number', format: 'double' };
    case 'boolean': return { type: 'boolean', format: '' };
    case 'array': {
      const inner = bosunField(s.items as Schema, names);
      return { ...inner, type: `Array<${inner.type}>`, items: s.items as Schema };
    }
    case 'object':
      if (s.additionalProperties) {
        const inner = bosunField(s.additionalProperties as Schema, names);
        return { ...inner, type: `{ [key: string]: ${inner.type}; }` };
      }
      return { type: 'any', format: '' };
    default: return { type: String(s.type), format: s.format ?? '' };
  }
}

/** Upstream spellings that mean what Bosun serves: MicroTime is a date-time string on the wire. */
function upstreamField(f: UpstreamField): UpstreamField {
  if (f.type === 'V1MicroTime') return { type: 'Date', format: 'date-time' };
  return f;
}

/** The values upstream's description lists under "Possible enum values" (Bosun keeps the text). */
export function describedEnum(description: string | undefined): string[] | undefined {
  const i = description?.indexOf('Possible enum values:') ?? -1;
  if (i < 0) return undefined;
  return [...description!.slice(i).matchAll(/^ - `"([^"]*)"`/gm)].map((m) => m[1]!);
}

/** Every difference between the components reachable from `root` and upstream's definitions. */
export async function driftOf(root: string, components: Record<string, Schema>, names: Set<string>): Promise<Drift[]> {
  const out: Drift[] = [];
  const seen = new Set<string>([root]);
  const queue: { def: string; path: (string | number)[] }[] = [{ def: root, path: [] }];
  while (queue.length) {
    const { def, path } = queue.shift()!;
    const comp = components[def] ?? {};
    const modelName = modelNameOf(def, names);
    const model = modelName ? await loadModel(modelName) : undefined;
    if (!model) {
      out.push({ line: `${def}: no upstream v1.32 definition`, path, loose: false });
      continue;
    }
    const props = (comp.properties ?? {}) as Record<string, Schema>;
    const loose = comp['x-kubernetes-preserve-unknown-fields'] === true;
    const drift = (field: string, what: string, at = path) => out.push({ line: `${model.name}.${field}: ${what}`, path: at, loose });
    for (const [field, up] of model.fields) if (!(field in props)) drift(field, 'missing', [...path, field]);
    for (const [field, s] of Object.entries(props)) {
      const up = model.fields.get(field);
      if (!up) {
        drift(field, 'extra');
        continue;
      }
      compareField(model, field, s, upstreamField(up), names, drift);
      const b = bosunField(s, names);
      if (b.ref && !seen.has(b.ref)) {
        seen.add(b.ref);
        queue.push({ def: b.ref, path: [...path, field, ...(b.type.startsWith('Array<') ? [0] : [])] });
      }
    }
    compareRequired(model, (comp.required ?? []) as string[], drift);
  }
  return out;
}

function compareField(model: UpstreamModel, field: string, s: Schema, up: UpstreamField, names: Set<string>, drift: (f: string, what: string) => void): void {
  const b = bosunField(s, names);
  if (b.type !== up.type) drift(field, `type ${b.type} (upstream ${up.type})`);
  else if (b.format !== up.format) drift(field, `format ${b.format || 'none'} (upstream ${up.format || 'none'})`);
  const itemSchema = b.items ?? s;
  const listed = describedEnum(itemSchema.description as string | undefined) ?? describedEnum(s.description as string | undefined);
  const served = itemSchema.enum as string[] | undefined;
  if (listed && b.type.replace(/^Array<(.*)>$/, '$1') === 'string') {
    const a = [...(served ?? [])].sort().join(',');
    const d = [...listed].sort().join(',');
    if (a !== d) drift(field, `enum [${a}] (upstream's description lists [${d}])`);
  }
  void model;
}

function compareRequired(model: UpstreamModel, required: string[], drift: (f: string, what: string) => void): void {
  const mine = new Set(required);
  for (const f of model.required) if (!mine.has(f)) drift(f, 'not required (upstream requires it)');
  for (const f of mine) if (!model.required.has(f)) drift(f, 'required (upstream does not require it)');
}

/** `apps.DeploymentSpec` for io.k8s.api.apps.v1.DeploymentSpec, `meta.ObjectMeta` for meta/v1's. */
function markerKeyOf(definition: string): string | undefined {
  const parts = definition.split('.');
  if (definition.startsWith('io.k8s.api.')) return `${parts[3]}.${parts.at(-1)}`;
  if (definition.startsWith('io.k8s.apimachinery.pkg.apis.meta.v1.')) return `meta.${parts.at(-1)}`;
  return undefined;
}

/**
 * The list and patch markers Bosun serves, in list-markers.ts's notation, for every list field and
 * every field with a marker: `apps.DeploymentStatus.conditions` -> `list=map keys=type patch=merge mergeKey=type`.
 */
export function servedMarkers(components: Record<string, Schema>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [def, comp] of Object.entries(components)) {
    const key = markerKeyOf(def);
    if (!key) continue;
    for (const [field, p] of Object.entries((comp.properties ?? {}) as Record<string, Schema>)) {
      const parts: string[] = [];
      if (p['x-kubernetes-list-type']) parts.push(`list=${p['x-kubernetes-list-type']}`);
      if (p['x-kubernetes-list-map-keys']) parts.push(`keys=${(p['x-kubernetes-list-map-keys'] as string[]).join(',')}`);
      if (p['x-kubernetes-patch-strategy']) parts.push(`patch=${p['x-kubernetes-patch-strategy']}`);
      if (p['x-kubernetes-patch-merge-key']) parts.push(`mergeKey=${p['x-kubernetes-patch-merge-key']}`);
      if (p.type === 'array' || parts.length) out.set(`${key}.${field}`, parts.join(' '));
    }
  }
  return out;
}

/** The enum values Bosun serves for string fields (and lists of strings), sorted, by enums.ts's key. */
export function servedEnums(components: Record<string, Schema>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [def, comp] of Object.entries(components)) {
    const key = markerKeyOf(def);
    if (!key) continue;
    for (const [field, p] of Object.entries((comp.properties ?? {}) as Record<string, Schema>)) {
      const s = (p.type === 'array' ? p.items : p) as Schema;
      if (s.type === 'string' && s.enum) out.set(`${key}.${field}`, [...(s.enum as string[])].sort());
    }
  }
  return out;
}
