/**
 * Parses resource paths the way kube-apiserver's RequestInfoFactory does:
 *   /api/v1[/watch]/namespaces/{ns}/{resource}[/{name}[/{sub}]]
 *   /api/v1[/watch]/{resource}[/{name}[/{sub}]]          (cluster-scoped, or all namespaces)
 *   /apis/{group}/{version}/...                           (the same below the group version)
 * `namespaces/{name}/status` and `namespaces/{name}/finalize` are subresources of the namespace.
 */

export interface ResourcePath {
  group: string;
  version: string;
  /** Set when the path has `namespaces/{ns}/` (for the namespaces resource itself: undefined). */
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Path segments after the subresource (proxy paths); empty otherwise. */
  rest: string[];
  /** The legacy `/watch/` prefix was used. */
  watchPrefix: boolean;
}

/** Segments after `namespaces/{name}/` that are subresources of the namespace, not resources in it. */
const namespaceSubresources = new Set(['status', 'finalize']);

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Splits a path into its group version and the resource part; undefined for non-resource paths. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = decodeSegments(pathname);
  if (!parts) return undefined;
  let group: string;
  let version: string;
  let p: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    p = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    p = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (p[0] === 'watch') {
    watchPrefix = true;
    p = p.slice(1);
    if (p.length === 0) return undefined;
  }
  let namespace: string | undefined;
  if (p[0] === 'namespaces' && p.length > 2 && !namespaceSubresources.has(p[2]!)) {
    namespace = p[1]!;
    p = p.slice(2);
  }
  const [resource, name, subresource, ...rest] = p;
  if (!resource) return undefined;
  return { group, version, namespace, resource, name, subresource, rest, watchPrefix };
}
