/**
 * The authorization attributes of a request to the agent's server, as the kubelet derives them
 * (upstream pkg/kubelet/server/auth.go GetRequestAttributes, KubeletFineGrainedAuthz off): the verb
 * from the HTTP method, resource `nodes` named by this node, and the subresource from the path:
 * /stats/... is `stats`, /metrics... `metrics`, /logs/... `log`, /checkpoint/... `checkpoint`, and
 * everything else (containerLogs, exec, attach, portForward, healthz) `proxy`.
 */

export interface NodeAttributes {
  verb: string;
  resource: 'nodes';
  subresource: string;
  name: string;
  /** The request path, for messages. */
  path: string;
}

const VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** isSubpath of upstream: `subpath` is `path` or below it. */
function isSubpath(subpath: string, path: string): boolean {
  const p = path.replace(/\/$/, '');
  return subpath === p || (subpath.startsWith(p) && subpath[p.length] === '/');
}

export function nodeRequestAttributes(method: string, path: string, nodeName: string): NodeAttributes {
  let subresource = 'proxy';
  if (isSubpath(path, '/stats/')) subresource = 'stats';
  else if (isSubpath(path, '/metrics')) subresource = 'metrics';
  else if (isSubpath(path, '/logs/')) subresource = 'log';
  else if (isSubpath(path, '/checkpoint/')) subresource = 'checkpoint';
  // Upstream leaves the verb empty for other methods (HEAD is Go's GET handler).
  return { verb: VERBS[method] ?? '', resource: 'nodes', subresource, name: nodeName, path };
}
