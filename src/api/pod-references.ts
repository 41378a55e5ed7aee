/**
 * The API objects a pod references by name in its own namespace, as upstream's
 * pkg/api/pod VisitPodSecretNames / VisitPodConfigmapNames and the node authorizer's graph
 * populator (plugin/pkg/auth/authorizer/node/graph_populator.go) read them: what a node may read
 * because a pod bound to it needs it, and what the node agent watches for that pod.
 *   secrets:    imagePullSecrets, env/envFrom of every container (init and ephemeral too), secret
 *               and projected secret volumes, and the secretRefs of the in-tree volume plugins
 *   configmaps: env/envFrom, configMap and projected configMap volumes
 *   PVCs:       persistentVolumeClaim volumes and the claims generic ephemeral volumes make
 *               (`<pod>-<volume>`, as upstream's ephemeral.VolumeClaimName)
 *   service account: spec.serviceAccountName
 * Pure: loose structural types, so both the API server and the agent can use it.
 */

interface NameRef { name?: string }
interface EnvSource { configMapRef?: NameRef; secretRef?: NameRef }
interface EnvVar { valueFrom?: { configMapKeyRef?: NameRef; secretKeyRef?: NameRef } }
interface ContainerLike { env?: EnvVar[]; envFrom?: EnvSource[] }
interface ProjectionLike { secret?: NameRef; configMap?: NameRef }
interface VolumeLike {
  name?: string;
  secret?: { secretName?: string };
  configMap?: NameRef;
  projected?: { sources?: ProjectionLike[] };
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
  [plugin: string]: unknown;
}

export interface PodLike {
  metadata?: { name?: string };
  spec?: {
    serviceAccountName?: string;
    imagePullSecrets?: NameRef[];
    initContainers?: ContainerLike[];
    containers?: ContainerLike[];
    ephemeralContainers?: ContainerLike[];
    volumes?: VolumeLike[];
  };
}

export interface PodReferences {
  secrets: Set<string>;
  configMaps: Set<string>;
  persistentVolumeClaims: Set<string>;
  serviceAccounts: Set<string>;
}

/** In-tree volume plugins whose source names a secret (`secretRef.name`; azureFile: `secretName`). */
const SECRET_REF_PLUGINS = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos', 'csi'];

function add(set: Set<string>, name: string | undefined): void {
  if (name) set.add(name);
}

/** Everything `pod` references, by kind. */
export function podReferences(pod: PodLike): PodReferences {
  const refs: PodReferences = { secrets: new Set(), configMaps: new Set(), persistentVolumeClaims: new Set(), serviceAccounts: new Set() };
  const spec = pod.spec ?? {};
  add(refs.serviceAccounts, spec.serviceAccountName);
  for (const r of spec.imagePullSecrets ?? []) add(refs.secrets, r.name);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      add(refs.configMaps, e.configMapRef?.name);
      add(refs.secrets, e.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      add(refs.configMaps, e.valueFrom?.configMapKeyRef?.name);
      add(refs.secrets, e.valueFrom?.secretKeyRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add(refs.secrets, v.secret?.secretName);
    add(refs.configMaps, v.configMap?.name);
    for (const p of v.projected?.sources ?? []) {
      add(refs.secrets, p.secret?.name);
      add(refs.configMaps, p.configMap?.name);
    }
    add(refs.persistentVolumeClaims, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral && pod.metadata?.name && v.name) refs.persistentVolumeClaims.add(`${pod.metadata.name}-${v.name}`);
    add(refs.secrets, (v.azureFile as { secretName?: string } | undefined)?.secretName);
    for (const plugin of SECRET_REF_PLUGINS) {
      const src = v[plugin] as Record<string, NameRef | undefined> | undefined;
      if (!src || typeof src !== 'object') continue;
      for (const field of ['secretRef', 'nodePublishSecretRef', 'controllerPublishSecretRef', 'nodeStageSecretRef']) add(refs.secrets, src[field]?.name);
    }
  }
  return refs;
}
