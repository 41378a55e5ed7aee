/**
 * The warnings a v1.32 API server gives for a pod or a pod template it accepts (upstream
 * pkg/api/pod/warnings.go warningsForPodSpecAndMeta, pkg/api/node/util.go for deprecated node
 * labels, and the pod strategy's WarningsOnCreate and applyAppArmorVersionSkew), with upstream's
 * field paths and wording: kubectl prints each as `Warning: <text>`. `prefix` is the template's
 * path (`spec.template`) or undefined for a pod. Not covered: the ephemeral volume's claim-template
 * warnings (pkg/api/persistentvolumeclaim).
 */
import { parseQuantity } from '../../quantity/quantity.js';

type Json = any;

const DEPRECATED_NODE_LABELS: Record<string, string> = {
  'beta.kubernetes.io/arch': 'deprecated since v1.14; use "kubernetes.io/arch" instead',
  'beta.kubernetes.io/os': 'deprecated since v1.14; use "kubernetes.io/os" instead',
  'failure-domain.beta.kubernetes.io/region': 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
  'failure-domain.beta.kubernetes.io/zone': 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
  'beta.kubernetes.io/instance-type': 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
};

const DEPRECATED_ANNOTATIONS: [key: string, message: string][] = [
  ['scheduler.alpha.kubernetes.io/critical-pod', 'non-functional in v1.16+; use the "priorityClassName" field instead'],
  ['security.alpha.kubernetes.io/sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'],
  ['security.alpha.kubernetes.io/unsafe-sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'],
];

const DEPRECATED_VOLUMES: [source: string, message: string][] = [
  ['photonPersistentDisk', 'deprecated in v1.11, non-functional in v1.16+'],
  ['gitRepo', 'deprecated in v1.11'],
  ['scaleIO', 'deprecated in v1.16, non-functional in v1.22+'],
  ['flocker', 'deprecated in v1.22, non-functional in v1.25+'],
  ['storageos', 'deprecated in v1.22, non-functional in v1.25+'],
  ['quobyte', 'deprecated in v1.22, non-functional in v1.25+'],
  ['glusterfs', 'deprecated in v1.25, non-functional in v1.26+'],
  ['cephfs', 'deprecated in v1.28, non-functional in v1.31+'],
  ['rbd', 'deprecated in v1.28, non-functional in v1.31+'],
];

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_CONTAINER = 'container.apparmor.security.beta.kubernetes.io/';
const NULL_SELECTOR = 'a null labelSelector results in matching no pod';

/** Warnings for a pod (`prefix` undefined) or a pod template at `prefix`. */
export function podSpecWarnings(meta: Json, spec: Json, prefix?: string): string[] {
  const p = (path: string): string => (prefix ? `${prefix}.${path}` : path);
  const w: string[] = [];
  const annotations: Record<string, string> = meta?.annotations ?? {};
  if (!spec || typeof spec !== 'object') return w;

  for (const k of Object.keys(spec.nodeSelector ?? {})) {
    if (DEPRECATED_NODE_LABELS[k]) w.push(`${p('spec.nodeSelector')}[${k}]: ${DEPRECATED_NODE_LABELS[k]}`);
  }
  const nodeAffinity = spec.affinity?.nodeAffinity;
  (nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).forEach((t: Json, i: number) =>
    w.push(...termWarnings(t, p(`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`))));
  (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Json, i: number) =>
    w.push(...termWarnings(t?.preference, p(`spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}].preference`))));
  (spec.topologySpreadConstraints ?? []).forEach((t: Json, i: number) => {
    const at = p(`spec.topologySpreadConstraints[${i}]`);
    if (DEPRECATED_NODE_LABELS[t?.topologyKey]) w.push(`${at}.topologyKey: ${t.topologyKey} is ${DEPRECATED_NODE_LABELS[t.topologyKey]}`);
    if (!t?.labelSelector) w.push(`${at}.labelSelector: ${NULL_SELECTOR}`);
  });
  for (const [key, message] of DEPRECATED_ANNOTATIONS) if (key in annotations) w.push(`${p('metadata.annotations')}[${key}]: ${message}`);

  (spec.volumes ?? []).forEach((v: Json, i: number) => {
    for (const [source, message] of DEPRECATED_VOLUMES) if (v?.[source]) w.push(`${p(`spec.volumes[${i}]`)}.${source}: ${message}`);
  });
  w.push(...projectedPathWarnings(spec, p));
  w.push(...duplicates(spec.hostAliases, (h) => h?.ip, (i, ip) => `${p(`spec.hostAliases[${i}]`)}.ip: duplicate ip ${JSON.stringify(ip)}`));
  w.push(...duplicates(spec.imagePullSecrets, (s) => s?.name, (i, name) => `${p(`spec.imagePullSecrets[${i}]`)}.name: duplicate name ${JSON.stringify(name)}`));
  (spec.imagePullSecrets ?? []).forEach((s: Json, i: number) => {
    if (!s?.name) w.push(`${p(`spec.imagePullSecrets[${i}]`)}.name: invalid empty name ""`);
  });
  for (const r of ['memory', 'ephemeral-storage']) w.push(...fractional(spec.overhead?.[r], `${p('spec.overhead')}[${r}]`));

  if (!spec.securityContext?.seccompProfile && SECCOMP_POD in annotations) {
    w.push(`${p('metadata.annotations')}[${SECCOMP_POD}]: non-functional in v1.27+; use the "seccompProfile" field instead`);
  }
  const podAppArmor = spec.securityContext?.appArmorProfile;
  for (const [c, at] of containers(spec, p)) {
    if (!c.securityContext?.seccompProfile && `${SECCOMP_CONTAINER}${c.name}` in annotations) {
      w.push(`${p('metadata.annotations')}[${SECCOMP_CONTAINER}${c.name}]: non-functional in v1.27+; use the "seccompProfile" field instead`);
    }
    // Templates warn here; pods warn where the annotation is synced to the field (podAppArmorWarnings).
    if (prefix && !podAppArmor && !c.securityContext?.appArmorProfile && `${APPARMOR_CONTAINER}${c.name}` in annotations) {
      w.push(`${p('metadata.annotations')}[${APPARMOR_CONTAINER}${c.name}]: deprecated since v1.30; use the "appArmorProfile" field instead`);
    }
    for (const kind of ['limits', 'requests']) {
      for (const r of ['memory', 'ephemeral-storage']) w.push(...fractional(c.resources?.[kind]?.[r], `${at}.resources.${kind}[${r}]`));
    }
    w.push(...envWarnings(c.env, `${at}.env`));
  }
  w.push(...portWarnings(spec, p));
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    w.push(`${p('spec.terminationGracePeriodSeconds')}: must be >= 0; negative values are invalid and will be treated as 1`);
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = spec.affinity?.[kind];
    const at = p(`spec.affinity.${kind}`);
    (a?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Json, i: number) => {
      if (!t?.labelSelector) w.push(`${at}.requiredDuringSchedulingIgnoredDuringExecution[${i}].labelSelector: ${NULL_SELECTOR}`);
    });
    (a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Json, i: number) => {
      if (!t?.podAffinityTerm?.labelSelector) w.push(`${at}.preferredDuringSchedulingIgnoredDuringExecution[${i}].podAffinityTerm.labelSelector: ${NULL_SELECTOR}`);
    });
  }
  return w;
}

/** A pod's containers, init containers and ephemeral containers with their paths (VisitContainersWithPath's order). */
function containers(spec: Json, p: (s: string) => string): [Json, string][] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((list) =>
    (spec[list] ?? []).map((c: Json, i: number): [Json, string] => [c ?? {}, p(`spec.${list}[${i}]`)]));
}

function termWarnings(term: Json, at: string): string[] {
  return (term?.matchExpressions ?? []).flatMap((e: Json, i: number) =>
    DEPRECATED_NODE_LABELS[e?.key] ? [`${at}.matchExpressions[${i}].key: ${e.key} is ${DEPRECATED_NODE_LABELS[e.key]}`] : []);
}

function duplicates(list: Json[] | undefined, keyOf: (x: Json) => string, message: (i: number, key: string) => string): string[] {
  if (!list || list.length < 2) return [];
  const seen = new Set<string>();
  return list.flatMap((x, i) => {
    const k = keyOf(x);
    if (seen.has(k)) return [message(i, k)];
    seen.add(k);
    return [];
  });
}

/** Memory and ephemeral storage are whole bytes: upstream warns when MilliValue() % 1000 != 0. */
function fractional(value: unknown, at: string): string[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [];
  try {
    const q = parseQuantity(String(value));
    return q.milliValue() % 1000n === 0n ? [] : [`${at}: fractional byte value ${JSON.stringify(q.toString())} is invalid, must be an integer`];
  } catch {
    return []; // validation reports it
  }
}

/** A later env entry of the same name that does not build on the earlier one (`X=$(X)...`) hides it. */
function envWarnings(env: Json[] | undefined, at: string): string[] {
  if (!env || env.length < 2) return [];
  const seen = new Set<string>();
  return env.flatMap((e, i) => {
    if (!seen.has(e?.name)) {
      seen.add(e?.name);
      return [];
    }
    const ref = `$(${e.name})`;
    const value = typeof e.value === 'string' ? e.value : '';
    const bad = e.valueFrom !== undefined || value === ref || !value.includes(ref);
    return bad ? [`${at}[${i}]: hides previous definition of ${JSON.stringify(e.name)}, which may be dropped when using apply`] : [];
  });
}

function portWarnings(spec: Json, p: (s: string) => string): string[] {
  const w: string[] = [];
  const all = new Map<string, { at: string; port: Json }[]>();
  for (const [c, cat] of containers(spec, p)) {
    (c.ports ?? []).forEach((port: Json, i: number) => {
      const at = `${cat}.ports[${i}]`;
      const hostIP = port?.hostIP ?? '';
      const hostPort = port?.hostPort ?? 0;
      if (hostIP !== '' && hostPort === 0) w.push(`${at}: hostIP set without hostPort: ${goPort(port)}`);
      const key = `${port?.containerPort}/${port?.protocol ?? 'TCP'}`;
      for (const other of all.get(key) ?? []) {
        const oIP = other.port?.hostIP ?? '';
        const oPort = other.port?.hostPort ?? 0;
        if (hostIP === oIP && hostPort === oPort) w.push(`${at}: duplicate port definition with ${other.at}`);
        else if (hostPort === 0 || oPort === 0) w.push(`${at}: overlapping port definition with ${other.at}`);
        else if (hostPort === oPort && (hostIP === '') !== (oIP === '')) w.push(`${at}: dangerously ambiguous port definition with ${other.at}`);
      }
      all.set(key, [...(all.get(key) ?? []), { at, port }]);
    });
  }
  return w;
}

/** Go's %+v of a ContainerPort. */
function goPort(port: Json): string {
  return `{Name:${port?.name ?? ''} HostPort:${port?.hostPort ?? 0} ContainerPort:${port?.containerPort ?? 0} Protocol:${port?.protocol ?? 'TCP'} HostIP:${port?.hostIP ?? ''}}`;
}

/** Projected files that collide with a projected service account token's path. */
function projectedPathWarnings(spec: Json, p: (s: string) => string): string[] {
  const tokenPaths = new Set<string>();
  for (const v of spec.volumes ?? []) for (const s of v?.projected?.sources ?? []) if (s?.serviceAccountToken) tokenPaths.add(s.serviceAccountToken.path);
  if (tokenPaths.size === 0) return [];
  const w: string[] = [];
  (spec.volumes ?? []).forEach((v: Json, i: number) => {
    const at = p(`spec.volumes[${i}].projected.sources`);
    for (const s of v?.projected?.sources ?? []) {
      const check = (items: Json[] | undefined, name: string): void => (items ?? []).forEach((item, j) => {
        if (tokenPaths.has(item?.path)) w.push(`${at}.${name}[${j}]: has duplicated path with ServiceAccountToken ${JSON.stringify(item.path)}`);
      });
      check(s?.configMap?.items, 'configMap');
      check(s?.secret?.items, 'secrets');
      check(s?.downwardAPI?.items, 'downwardAPI');
      if (s?.clusterTrustBundle && tokenPaths.has(s.clusterTrustBundle.path)) {
        w.push(`${at}.ClusterTrustBundle: has duplicated path with ServiceAccountToken ${JSON.stringify(s.clusterTrustBundle.path)}`);
      }
    }
  });
  return w;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What a pod's create adds (the pod strategy's WarningsOnCreate and applyAppArmorVersionSkew): the
 * name is the pod's hostname, so not a DNS label warns; a container AppArmor annotation with no
 * field set warns (the annotation's profile becomes the field unless it equals the pod's).
 */
export function podCreateWarnings(meta: Json, spec: Json): string[] {
  const w: string[] = [];
  const name = String(meta?.name ?? '');
  const msgs = [
    ...(name.length > 63 ? ['must be no more than 63 characters'] : []),
    ...(DNS_LABEL.test(name) ? [] : ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
  ];
  if (name && msgs.length) w.push(`metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(' ')}]`);
  const annotations: Record<string, string> = meta?.annotations ?? {};
  const podProfile = spec?.securityContext?.appArmorProfile;
  if (spec?.os?.name !== 'windows') {
    for (const [c] of containers(spec ?? {}, (s) => s)) {
      const key = `${APPARMOR_CONTAINER}${c.name}`;
      if (!(key in annotations) || c.securityContext?.appArmorProfile) continue;
      const field = appArmorField(annotations[key] ?? '');
      if (!field || JSON.stringify(field) !== JSON.stringify(podProfile ?? null)) {
        w.push(`metadata.annotations[${key}]: deprecated since v1.30; use the "appArmorProfile" field instead`);
      }
    }
  }
  return w.concat(podSpecWarnings(meta, spec));
}

/** podutil.ApparmorFieldForAnnotation, valid results only. */
function appArmorField(annotation: string): { type: string; localhostProfile?: string } | undefined {
  if (annotation === 'runtime/default') return { type: 'RuntimeDefault' };
  if (annotation === 'unconfined') return { type: 'Unconfined' };
  if (annotation.startsWith('localhost/')) {
    const profile = annotation.slice('localhost/'.length);
    return profile ? { type: 'Localhost', localhostProfile: profile } : undefined;
  }
  return undefined;
}
