/**
 * The field manager's converter between the versions of one stored kind (kube-apiserver's
 * versionconverter: to the hub, then to the entry's version): autoscaling/v1 and v2
 * HorizontalPodAutoscaler, core v1 and events.k8s.io/v1 Event. A version served from another's
 * storage converts through its storageVersion; the storage version converts as is.
 * Built-in kinds only: a custom resource's versions differ by apiVersion alone here (no webhook
 * is called to compare ownership), so its entries are compared in the written version.
 */
import type { KubeObject } from '../../api/meta.js';
import { all } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { VersionConverter } from '../patch/apply/versions.js';
import type { JsonObject } from '../patch/json-value.js';
import { resourcePrefix } from './keys.js';

export function apiVersionOf(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

const peerCache = new Map<string, Map<string, ResourceDefinition>>();

/** The registered versions of the kind stored where `def`'s objects are, by apiVersion (`def`'s own excluded). */
function peers(def: ResourceDefinition): Map<string, ResourceDefinition> {
  const prefix = resourcePrefix(def);
  const id = `${prefix}${def.kind}`;
  let out = peerCache.get(id);
  if (!out) {
    out = new Map();
    for (const d of all()) if (d.kind === def.kind && resourcePrefix(d) === prefix) out.set(apiVersionOf(d), d);
    peerCache.set(id, out);
  }
  // A definition the registry does not hold (a custom resource's) has no peers.
  return out.has(apiVersionOf(def)) ? out : new Map();
}

/**
 * Objects of `def`'s version as another version of the kind shows them, with that version's
 * schema facts and reset fields; undefined when the kind has one version only.
 */
export function versionConverter(
  def: ResourceDefinition, ignoredFields: (def: ResourceDefinition) => string[][] | undefined,
): VersionConverter | undefined {
  const versions = peers(def);
  if (versions.size < 2) return undefined;
  return (obj, apiVersion, fromVersion) => {
    const to = versions.get(apiVersion);
    const from = fromVersion === undefined ? def : versions.get(fromVersion);
    if (!to || !from) return undefined;
    const body = obj as unknown as KubeObject;
    const meta = { ...body, metadata: body.metadata ?? {} };
    const stored = from.storageVersion ? from.storageVersion.toStored(meta) : meta;
    const object = to.storageVersion ? to.storageVersion.fromStored(stored) : stored;
    return { object: object as unknown as JsonObject, fieldInfo: (p) => to.fieldInfo(p), ignoredFields: ignoredFields(to) };
  };
}
