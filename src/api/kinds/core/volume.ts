/**
 * core/v1 Volume. The sources Bosun's agent mounts (emptyDir, configMap, secret, hostPath,
 * downwardAPI, projected, persistentVolumeClaim) are typed; every other upstream source is accepted
 * as a loosely typed object so real manifests validate.
 */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { objectFieldSelectorSchema, resourceFieldSelectorSchema } from './container.js';

const V1 = 'io.k8s.api.core.v1';

export const keyToPathSchema = s.object({
  key: s.string('key is the key to project.'),
  path: s.string("path is the relative path of the file to map the key to. May not be an absolute path. May not contain the path element '..'. May not start with the string '..'."),
  mode: s.int('mode is Optional: mode bits used to set permissions on this file. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.'),
}, { name: `${V1}.KeyToPath`, required: ['key', 'path'], description: 'Maps a string key to a path within a volume.' });

const DEFAULT_MODE = 420; // 0644

export const emptyDirSchema = s.object({
  medium: s.string('medium represents what type of storage medium should back this directory. The default is "" which means to use the node\'s default medium. Must be an empty string (default) or Memory. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir'),
  sizeLimit: s.quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
}, { name: `${V1}.EmptyDirVolumeSource`, description: 'Represents an empty directory for a pod. Empty directory volumes support ownership management and SELinux relabeling.' });

export const configMapVolumeSchema = s.object({
  name: s.string({ description: 'Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', default: '' }),
  items: s.array(keyToPathSchema, { description: "items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.", listType: 'atomic' }),
  defaultMode: s.int({ description: 'defaultMode is optional: mode bits used to set permissions on created files by default. Defaults to 0644.', default: DEFAULT_MODE }),
  optional: s.bool('optional specify whether the ConfigMap or its keys must be defined'),
}, { name: `${V1}.ConfigMapVolumeSource`, description: "Adapts a ConfigMap into a volume.\n\nThe contents of the target ConfigMap's Data field will be presented in a volume as files using the keys in the Data field as the file names, unless the items element is populated with specific mappings of keys to paths." });

export const secretVolumeSchema = s.object({
  secretName: s.string("secretName is the name of the secret in the pod's namespace to use. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret"),
  items: s.array(keyToPathSchema, { description: 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', listType: 'atomic' }),
  defaultMode: s.int({ description: 'defaultMode is Optional: mode bits used to set permissions on created files by default. Defaults to 0644.', default: DEFAULT_MODE }),
  optional: s.bool('optional field specify whether the Secret or its keys must be defined'),
}, { name: `${V1}.SecretVolumeSource`, description: 'Adapts a Secret into a volume.\n\nThe contents of the target Secret\'s Data field will be presented in a volume as files using the keys in the Data field as the file names. Secret volumes support ownership management and SELinux relabeling.' });

export const hostPathSchema = s.object({
  path: s.string('path of the directory on the host. If the path is a symlink, it will follow the link to the real path. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath'),
  type: s.string({
    description: 'type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath',
    enum: ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], default: '',
  }),
}, { name: `${V1}.HostPathVolumeSource`, required: ['path'], description: 'Represents a host path mapped into a pod. Host path volumes do not support ownership management or SELinux relabeling.' });

export const downwardAPIVolumeFileSchema = s.object({
  path: s.string("Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path. Must be utf-8 encoded. The first item of the relative path must not start with '..'"),
  fieldRef: { ...objectFieldSelectorSchema, description: 'Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.' },
  resourceFieldRef: { ...resourceFieldSelectorSchema, description: 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.' },
  mode: s.int('Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.'),
}, { name: `${V1}.DownwardAPIVolumeFile`, required: ['path'], description: 'DownwardAPIVolumeFile represents information to create the file containing the pod field' });

export const downwardAPIVolumeSchema = s.object({
  items: s.array(downwardAPIVolumeFileSchema, { description: 'Items is a list of downward API volume file', listType: 'atomic' }),
  defaultMode: s.int({ description: 'Optional: mode bits to use on created files by default. Defaults to 0644.', default: DEFAULT_MODE }),
}, { name: `${V1}.DownwardAPIVolumeSource`, description: 'DownwardAPIVolumeSource represents a volume containing downward API info. Downward API volumes support ownership management and SELinux relabeling.' });

export const volumeProjectionSchema = s.object({
  configMap: s.object({
    name: s.string({ description: 'Name of the referent.', default: '' }),
    items: s.array(keyToPathSchema, { description: 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', listType: 'atomic' }),
    optional: s.bool('optional specify whether the ConfigMap or its keys must be defined'),
  }, { name: `${V1}.ConfigMapProjection`, description: 'configMap information about the configMap data to project' }),
  secret: s.object({
    name: s.string({ description: 'Name of the referent.', default: '' }),
    items: s.array(keyToPathSchema, { description: 'items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', listType: 'atomic' }),
    optional: s.bool('optional field specify whether the Secret or its key must be defined'),
  }, { name: `${V1}.SecretProjection`, description: 'secret information about the secret data to project' }),
  downwardAPI: s.object({
    items: s.array(downwardAPIVolumeFileSchema, { description: 'Items is a list of DownwardAPIVolume file', listType: 'atomic' }),
  }, { name: `${V1}.DownwardAPIProjection`, description: 'downwardAPI information about the downwardAPI data to project' }),
  serviceAccountToken: s.object({
    audience: s.string('audience is the intended audience of the token.'),
    expirationSeconds: s.int64({ description: 'expirationSeconds is the requested duration of validity of the service account token.', default: 3600 }),
    path: s.string('path is the path relative to the mount point of the file to project the token into.'),
  }, { name: `${V1}.ServiceAccountTokenProjection`, required: ['path'], description: 'serviceAccountToken is information about the serviceAccountToken data to project' }),
  clusterTrustBundle: s.loose({}, 'ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.'),
}, { name: `${V1}.VolumeProjection`, description: 'Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.' });

export const projectedVolumeSchema = s.object({
  sources: s.array(volumeProjectionSchema, { description: 'sources is the list of volume projections. Each entry in this list handles one source.', listType: 'atomic' }),
  defaultMode: s.int({ description: 'defaultMode are the mode bits used to set permissions on created files by default.', default: DEFAULT_MODE }),
}, { name: `${V1}.ProjectedVolumeSource`, description: 'Represents a projected volume source' });

export const pvcVolumeSchema = s.object({
  claimName: s.string('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims'),
  readOnly: s.bool('readOnly Will force the ReadOnly setting in VolumeMounts. Default false.'),
}, { name: `${V1}.PersistentVolumeClaimVolumeSource`, required: ['claimName'], description: "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace." });

/** Upstream sources Bosun does not mount; accepted and kept, typed loosely. */
const LOOSE_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'ephemeral', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'gitRepo', 'glusterfs', 'image', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte',
  'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

const looseSources = Object.fromEntries(LOOSE_SOURCES.map((k) => [k, s.loose({}, `${k} volume source (accepted; not mounted by Bosun).`)])) as {
  [K in (typeof LOOSE_SOURCES)[number]]: ReturnType<typeof s.loose<{}>>;
};

export const volumeSchema = s.object({
  name: s.string("name of the volume. Must be a DNS_LABEL and unique within the pod. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names"),
  emptyDir: { ...emptyDirSchema, description: "emptyDir represents a temporary directory that shares a pod's lifetime. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir" },
  configMap: { ...configMapVolumeSchema, description: 'configMap represents a configMap that should populate this volume' },
  secret: { ...secretVolumeSchema, description: 'secret represents a secret that should populate this volume. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret' },
  hostPath: { ...hostPathSchema, description: 'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath' },
  downwardAPI: { ...downwardAPIVolumeSchema, description: 'downwardAPI represents downward API about the pod that should populate this volume' },
  projected: { ...projectedVolumeSchema, description: 'projected items for all in one resources secrets, configmaps, and downward API' },
  persistentVolumeClaim: { ...pvcVolumeSchema, description: 'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims' },
  ...looseSources,
}, { name: `${V1}.Volume`, required: ['name'], description: 'Volume represents a named volume in a pod that may be accessed by any container in the pod.' });

export type Volume = Infer<typeof volumeSchema>;
export type KeyToPath = Infer<typeof keyToPathSchema>;
