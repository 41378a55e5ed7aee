/**
 * What each subresource answers with and which verbs it takes, as kube-apiserver's discovery lists
 * them. `undefined` group/version/kind means "the parent's".
 */
export interface SubresourceKind {
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

const table: Record<string, SubresourceKind> = {
  status: { verbs: ['get', 'patch', 'update'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  binding: { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  finalize: { verbs: ['update'] },
  log: { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
};

/** The kind and verbs of `sub` under a parent of the given group, version and kind. */
export function subresourceKind(sub: string, parent: { group: string; version: string; kind: string }): Required<SubresourceKind> {
  const t = table[sub] ?? { verbs: ['get'] };
  const proxyKind = `${parent.kind}ProxyOptions`;
  return {
    group: t.group ?? parent.group,
    version: t.version ?? parent.version,
    kind: t.kind ?? (sub === 'proxy' ? proxyKind : parent.kind),
    verbs: t.verbs,
  };
}
