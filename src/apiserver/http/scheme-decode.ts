/**
 * How kube-apiserver's codec fails a body of another kind than the one a URL serves. The create and
 * update handlers decode the body into the REST storage's New() (an internal type, e.g. core.Pod):
 * the json serializer reads the body's apiVersion and kind, filling in missing ones from the URL's
 * (gvkWithDefaults), makes the versioned object of that kind, then converts it to the internal type.
 * Either step failing is transformDecodeError's 400 "<Kind> in version "<v>" cannot be handled as a
 * <Kind>: <why>", <why> being the scheme's:
 *  - a kind the scheme has in that group version (a v1 Service sent to pods): its conversion to the
 *    internal type fails, "converting (v1.Service) to (core.Pod): unknown conversion";
 *  - any other: "no kind "Pod" is registered for version "apps/v1" in scheme
 *    "pkg/api/legacyscheme/scheme.go:30"".
 * Which kinds the scheme has is read from the built-in kinds served here (their lists, the meta kinds
 * every group version has, the subresource kinds); upstream's scheme also keeps versions it no longer
 * serves, which here count as not registered: both are the same 400, only the text after the colon
 * differs. Built-in kinds only: custom resources decode as unstructured objects upstream.
 */
import { all, byKind } from '../../api/registry.js';
import { errors, type StatusError } from '../../api/status.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Kinds metav1.AddToGroupVersion registers in every group version (Go package metav1, "v1"). */
const META_KINDS = new Set(['WatchEvent', 'ListOptions', 'GetOptions', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

/** Subresource kinds registered beside their group's resources. */
const SUBRESOURCE_KINDS: Record<string, string[]> = {
  v1: ['Binding'], 'autoscaling/v1': ['Scale'], 'policy/v1': ['Eviction'], 'policy/v1beta1': ['Eviction'], 'authentication.k8s.io/v1': ['TokenRequest'],
};

/** Groups whose internal types live in another package than the group's first label. */
const INTERNAL_PACKAGES: Record<string, string> = { '': 'core', 'events.k8s.io': 'core', 'internal.apiserver.k8s.io': 'apiserverinternal' };

/** `group/version`, or the version alone for the core group. */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The Go package of `group`'s internal types (k8s.io/kubernetes/pkg/apis/<package>). */
export function internalPackage(group: string): string {
  return INTERNAL_PACKAGES[group] ?? group.split('.')[0]!;
}

/**
 * The body's group, version and kind as the serializer reads them (schema.FromAPIVersionAndKind: an
 * apiVersion that does not parse counts as none; an empty kind as none), `want`'s filled in as
 * gvkWithDefaults does.
 */
export function bodyGvk(body: { apiVersion?: unknown; kind?: unknown }, want: GroupVersionKind): GroupVersionKind {
  const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : '';
  const parts = apiVersion.split('/');
  let [group, version] = parts.length === 1 ? ['', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ['', ''];
  const kind = typeof body.kind === 'string' && body.kind !== '' ? body.kind : want.kind;
  if (!version && !group) [group, version] = [want.group, want.version];
  if (!version && group === want.group) version = want.version;
  return { group, version, kind };
}

/** Whether upstream's scheme has `kind` in the group version, as far as the built-in kinds tell. */
export function registered({ group, version, kind }: GroupVersionKind): boolean {
  if (SUBRESOURCE_KINDS[groupVersion(group, version)]?.includes(kind)) return true;
  if (META_KINDS.has(kind)) return byKindOrList(group, version, undefined);
  return byKindOrList(group, version, kind);
}

/** A built-in kind (or its list) in the group version; with no kind, whether the group version has any. */
function byKindOrList(group: string, version: string, kind: string | undefined): boolean {
  if (kind === undefined) return SUBRESOURCE_KINDS[groupVersion(group, version)] !== undefined || builtInGroupVersions().has(groupVersion(group, version));
  return byKind(group, version, kind) !== undefined || (kind.endsWith('List') && byKind(group, version, kind.slice(0, -4)) !== undefined);
}

let served: Set<string> | undefined;
function builtInGroupVersions(): Set<string> {
  served ??= new Set(all().map((d) => groupVersion(d.group, d.version)));
  return served;
}

/** transformDecodeError's 400 for a body of kind `got` (defaults filled in) sent where `want` is served. */
export function cannotHandle(got: GroupVersionKind, want: GroupVersionKind): StatusError {
  const why = registered(got)
    ? `converting (${META_KINDS.has(got.kind) ? 'v1' : got.version}.${got.kind}) to (${internalPackage(want.group)}.${want.kind}): unknown conversion`
    : `no kind "${got.kind}" is registered for version "${groupVersion(got.group, got.version)}" in scheme "pkg/api/legacyscheme/scheme.go:30"`;
  return errors.badRequest(`${got.kind} in version "${got.version}" cannot be handled as a ${want.kind}: ${why}`);
}
