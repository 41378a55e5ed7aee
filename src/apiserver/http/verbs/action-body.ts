/**
 * The kind a POSTed action subresource's body must be, as kube-apiserver's create handler decodes it:
 * into the REST storage's New() (pods/binding: Binding, pods/eviction: Eviction, serviceaccounts/
 * token: TokenRequest) with the subresource's kind as the default for a missing apiVersion or kind
 * (the json serializer's gvkWithDefaults). A body of another kind or group version fails that decode
 * and transformDecodeError makes it a 400 "<Kind> in version "<v>" cannot be handled as a <Kind>:
 * <why>", where <why> is the scheme's:
 *  - a kind the scheme has in that group version (a v1 Pod): it is decoded, then its conversion to
 *    the internal type fails, "converting (v1.Pod) to (core.Binding): unknown conversion";
 *  - any other: "no kind "Eviction" is registered for version "v1" in scheme
 *    "pkg/api/legacyscheme/scheme.go:30"".
 * Eviction is accepted as policy/v1 and policy/v1beta1 (EvictionREST.AcceptsGroupVersion). Whether a
 * kind is "registered" is read from the served catalog (plus the meta kinds every group version has);
 * upstream's scheme also holds kinds of versions it no longer serves, which here are "not registered":
 * both are the same 400, only the text after the colon differs.
 */
import type { KubeObject } from '../../../api/meta.js';
import { errors } from '../../../api/status.js';
import type { ApiCatalog } from '../../discovery/catalog.js';

interface ActionKind {
  group: string;
  version: string;
  kind: string;
  /** Group versions whose object of `kind` is decoded and converted (upstream: the scheme's conversions). */
  accepts: string[];
  /** The Go package of the internal type, as the conversion error names it. */
  internalPackage: string;
}

const ACTION_KINDS: Record<string, ActionKind> = {
  'pods/binding': { group: '', version: 'v1', kind: 'Binding', accepts: ['v1'], internalPackage: 'core' },
  'pods/eviction': { group: 'policy', version: 'v1', kind: 'Eviction', accepts: ['policy/v1', 'policy/v1beta1'], internalPackage: 'policy' },
  'serviceaccounts/token': { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', accepts: ['authentication.k8s.io/v1'], internalPackage: 'authentication' },
};

/** Kinds metav1.AddToGroupVersion registers in every group version (Go package metav1, "v1"). */
const META_KINDS = new Set(['WatchEvent', 'ListOptions', 'GetOptions', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

/** Subresource kinds registered beside their group's resources. */
const SUBRESOURCE_KINDS: Record<string, string[]> = { v1: ['Binding'], 'autoscaling/v1': ['Scale'], 'policy/v1': ['Eviction'], 'policy/v1beta1': ['Eviction'], 'authentication.k8s.io/v1': ['TokenRequest'] };

/**
 * Checks `body` (an object) posted to `resource/subresource` decodes as the subresource's kind and
 * fills in a missing apiVersion and kind; throws the create handler's 400 otherwise. Subresources
 * without an entry (namespaces/finalize, CSR approval) are left to their own checks.
 */
export function checkActionBody(body: KubeObject, resource: string, subresource: string, catalog: ApiCatalog): void {
  const want = ACTION_KINDS[`${resource}/${subresource}`];
  if (!want) return;
  const { group, version, kind } = withDefaults(body, want);
  const gv = group ? `${group}/${version}` : version;
  if (kind === want.kind && want.accepts.includes(gv)) {
    body.apiVersion = gv;
    body.kind = kind;
    return;
  }
  const why = registered(catalog, group, version, kind)
    ? `converting (${META_KINDS.has(kind) ? 'v1' : version}.${kind}) to (${want.internalPackage}.${want.kind}): unknown conversion`
    : `no kind "${kind}" is registered for version "${gv}" in scheme "pkg/api/legacyscheme/scheme.go:30"`;
  throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${want.kind}: ${why}`);
}

/**
 * The body's group, version and kind as the serializer reads them (schema.FromAPIVersionAndKind: an
 * apiVersion that does not parse counts as none), defaults filled in as gvkWithDefaults does.
 */
function withDefaults(body: KubeObject, want: ActionKind): { group: string; version: string; kind: string } {
  const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : '';
  const parts = apiVersion.split('/');
  let [group, version] = parts.length === 1 ? ['', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ['', ''];
  const kind = typeof body.kind === 'string' && body.kind !== '' ? body.kind : want.kind;
  if (!version && !group) [group, version] = [want.group, want.version];
  if (!version && group === want.group) version = want.version;
  return { group, version, kind };
}

/** Whether upstream's scheme would have `kind` in the group version (read from what is served). */
function registered(catalog: ApiCatalog, group: string, version: string, kind: string): boolean {
  const gv = group ? `${group}/${version}` : version;
  if (SUBRESOURCE_KINDS[gv]?.includes(kind)) return true;
  const entries = catalog.entriesOf({ group, version });
  if (entries.length > 0 && META_KINDS.has(kind)) return true;
  return entries.some((e) => e.def.kind === kind || `${e.def.kind}List` === kind);
}
