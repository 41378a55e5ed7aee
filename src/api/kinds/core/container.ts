/** core/v1 Container and its parts (ports, env, resources, mounts), with SetDefaults_Container. */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { lifecycleSchema, probeSchema } from './probe.js';

const V1 = 'io.k8s.api.core.v1';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export const containerPortSchema = s.object({
  name: s.string('If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.'),
  hostPort: s.int('Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most containers do not need this.'),
  containerPort: s.int("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
  protocol: s.string({ description: 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".\n\nPossible enum values:\n - `"SCTP"` is the SCTP protocol.\n - `"TCP"` is the TCP protocol.\n - `"UDP"` is the UDP protocol.', enum: PROTOCOLS, default: 'TCP' }),
  hostIP: s.string('What host IP to bind the external port to.'),
}, { name: `${V1}.ContainerPort`, required: ['containerPort'], description: 'ContainerPort represents a network port in a single container.' });

const keySelector = (what: string, name: string) => s.object({
  name: s.string({ description: "Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names", default: '' }),
  key: s.string(`The key of the ${what} to select from.  Must be a valid secret key.`),
  optional: s.bool(`Specify whether the ${what} or its key must be defined`),
}, { name: `${V1}.${name}`, required: ['key'], mapType: 'atomic', description: `Selects a key from a ${what}.` });

export const objectFieldSelectorSchema = s.object({
  apiVersion: s.string({ description: 'Version of the schema the FieldPath is written in terms of, defaults to "v1".', default: 'v1' }),
  fieldPath: s.string('Path of the field to select in the specified API version.'),
}, { name: `${V1}.ObjectFieldSelector`, required: ['fieldPath'], mapType: 'atomic', description: 'ObjectFieldSelector selects an APIVersioned field of an object.' });

export const resourceFieldSelectorSchema = s.object({
  containerName: s.string('Container name: required for volumes, optional for env vars'),
  resource: s.string('Required: resource to select'),
  divisor: s.quantity('Specifies the output format of the exposed resources, defaults to "1"'),
}, { name: `${V1}.ResourceFieldSelector`, required: ['resource'], mapType: 'atomic', description: 'ResourceFieldSelector represents container resources (cpu, memory) and their output format' });

export const envVarSourceSchema = s.object({
  fieldRef: { ...objectFieldSelectorSchema, description: "Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs." },
  resourceFieldRef: { ...resourceFieldSelectorSchema, description: 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.' },
  configMapKeyRef: { ...keySelector('ConfigMap', 'ConfigMapKeySelector'), description: 'Selects a key of a ConfigMap.' },
  secretKeyRef: { ...keySelector('secret', 'SecretKeySelector'), description: "Selects a key of a secret in the pod's namespace" },
}, { name: `${V1}.EnvVarSource`, description: 'EnvVarSource represents a source for the value of an EnvVar.' });

export const envVarSchema = s.object({
  name: s.string('Name of the environment variable. Must be a C_IDENTIFIER.'),
  value: s.string('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. If a variable cannot be resolved, the reference in the input string will be unchanged. Defaults to "".'),
  valueFrom: { ...envVarSourceSchema, description: "Source for the environment variable's value. Cannot be used if value is not empty." },
}, { name: `${V1}.EnvVar`, required: ['name'], description: 'EnvVar represents an environment variable present in a Container.' });

const envFromRef = (what: string, name: string) => s.object({
  name: s.string({ description: 'Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', default: '' }),
  optional: s.bool(`Specify whether the ${what} must be defined`),
}, { name: `${V1}.${name}`, description: `${name} selects a ${what} to populate the environment variables with.` });

export const envFromSourceSchema = s.object({
  prefix: s.string('Optional text to prepend to the name of each environment variable. Must be a C_IDENTIFIER.'),
  configMapRef: { ...envFromRef('ConfigMap', 'ConfigMapEnvSource'), description: 'The ConfigMap to select from' },
  secretRef: { ...envFromRef('Secret', 'SecretEnvSource'), description: 'The Secret to select from' },
}, { name: `${V1}.EnvFromSource`, description: 'EnvFromSource represents the source of a set of ConfigMaps or Secrets' });

export const resourceRequirementsSchema = s.object({
  limits: s.map(s.quantity(), 'Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'),
  requests: s.map(s.quantity(), 'Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'),
  claims: s.array(s.object({
    name: s.string('Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used. It makes that resource available inside a container.'),
    request: s.string('Request is the name chosen for a request in the referenced claim.'),
  }, { name: `${V1}.ResourceClaim`, required: ['name'], description: 'ResourceClaim references one entry in PodSpec.ResourceClaims.' }), {
    description: 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.',
    listType: 'map', listMapKeys: ['name'],
  }),
}, { name: `${V1}.ResourceRequirements`, description: 'ResourceRequirements describes the compute resource requirements.' });

export const volumeMountSchema = s.object({
  name: s.string('This must match the Name of a Volume.'),
  readOnly: s.bool('Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.'),
  recursiveReadOnly: s.string('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
  mountPath: s.string("Path within the container at which the volume should be mounted.  Must not contain ':'."),
  subPath: s.string("Path within the volume from which the container's volume should be mounted. Defaults to \"\" (volume's root)."),
  mountPropagation: s.string({ description: 'mountPropagation determines how mounts are propagated from the host to container and the other way around. When not set, MountPropagationNone is used.', enum: ['Bidirectional', 'HostToContainer', 'None'] }),
  subPathExpr: s.string("Expanded path within the volume from which the container's volume should be mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are expanded using the container's environment. Defaults to \"\" (volume's root). SubPathExpr and SubPath are mutually exclusive."),
}, { name: `${V1}.VolumeMount`, required: ['name', 'mountPath'], description: 'VolumeMount describes a mounting of a Volume within a container.' });

export const volumeDeviceSchema = s.object({
  name: s.string('name must match the name of a persistentVolumeClaim in the pod'),
  devicePath: s.string('devicePath is the path inside of the container that the device will be mapped to.'),
}, { name: `${V1}.VolumeDevice`, required: ['name', 'devicePath'], description: 'volumeDevice describes a mapping of a raw block device within a container.' });

/** Seccomp, SELinux, AppArmor and Windows options: the fields the Pod Security Standards read (pod and container level). */
export const seccompProfileSchema = s.object({
  type: s.string({ description: 'type indicates which kind of seccomp profile will be applied. Valid options are: Localhost, RuntimeDefault, Unconfined.', enum: ['Localhost', 'RuntimeDefault', 'Unconfined'] }),
  localhostProfile: s.string("localhostProfile indicates a profile defined in a file on the node should be used. The profile must be preconfigured on the node to work. Must be a descending path, relative to the kubelet's configured seccomp profile location. Must be set if type is \"Localhost\". Must NOT be set for any other type."),
}, { name: `${V1}.SeccompProfile`, required: ['type'], description: "SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be set." });
export const appArmorProfileSchema = s.object({
  type: s.string({ description: 'type indicates which kind of AppArmor profile will be applied. Valid options are: Localhost, RuntimeDefault, Unconfined.', enum: ['Localhost', 'RuntimeDefault', 'Unconfined'] }),
  localhostProfile: s.string('localhostProfile indicates a profile loaded on the node that should be used.'),
}, { name: `${V1}.AppArmorProfile`, required: ['type'], description: "AppArmorProfile defines a pod or container's AppArmor settings." });
export const seLinuxOptionsSchema = s.object({
  user: s.string('User is a SELinux user label that applies to the container.'),
  role: s.string('Role is a SELinux role label that applies to the container.'),
  type: s.string('Type is a SELinux type label that applies to the container.'),
  level: s.string('Level is SELinux level label that applies to the container.'),
}, { name: `${V1}.SELinuxOptions`, description: 'SELinuxOptions are the labels to be applied to the container' });
export const windowsOptionsSchema = s.object({
  gmsaCredentialSpec: s.string('GMSACredentialSpec is where the GMSA admission webhook (https://github.com/kubernetes-sigs/windows-gmsa) inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.'),
  gmsaCredentialSpecName: s.string('GMSACredentialSpecName is the name of the GMSA credential spec to use.'),
  hostProcess: s.bool('HostProcess determines if a container should be run as a \'Host Process\' container.'),
  runAsUserName: s.string('The UserName in Windows to run the entrypoint of the container process. Defaults to the user specified in image metadata if unspecified. May also be set in PodSecurityContext. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.'),
}, { name: `${V1}.WindowsSecurityContextOptions`, description: 'WindowsSecurityContextOptions contain Windows-specific options and credentials.' });

export const securityContextSchema = s.object({
  privileged: s.bool('Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false.'),
  runAsUser: s.int64('The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.'),
  runAsGroup: s.int64('The GID to run the entrypoint of the container process.'),
  runAsNonRoot: s.bool('Indicates that the container must run as a non-root user.'),
  readOnlyRootFilesystem: s.bool('Whether this container has a read-only root filesystem. Default is false.'),
  allowPrivilegeEscalation: s.bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'),
  capabilities: s.object({ add: s.strings('Added capabilities'), drop: s.strings('Removed capabilities') }, 'The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime.'),
  procMount: s.string({ description: 'procMount denotes the type of proc mount to use for the containers. The default value is Default which uses the container runtime defaults for readonly paths and masked paths.\n\nPossible enum values:\n - `"Default"` uses the container runtime defaults for readonly and masked paths for /proc.\n - `"Unmasked"` bypasses the default masking behavior of the container runtime and ensures the newly created /proc the container stays in tact with no modifications.', enum: ['Default', 'Unmasked'] }),
  seccompProfile: { ...seccompProfileSchema, description: 'The seccomp options to use by this container. If seccomp options are provided at both the pod & container level, the container options override the pod options.' },
  appArmorProfile: { ...appArmorProfileSchema, description: "appArmorProfile is the AppArmor options to use by this container. If set, this profile overrides the pod's appArmorProfile." },
  seLinuxOptions: { ...seLinuxOptionsSchema, description: 'The SELinux context to be applied to the container.' },
  windowsOptions: { ...windowsOptionsSchema, description: 'The Windows specific settings applied to all containers.' },
}, { name: `${V1}.SecurityContext`, description: 'SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext.  When both are set, the values in SecurityContext take precedence.' });

const containerProps = {
  name: s.string('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.'),
  image: s.string('Container image name. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.'),
  command: s.strings("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell"),
  args: s.strings("Arguments to the entrypoint. The container image's CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell"),
  workingDir: s.string("Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated."),
  ports: s.array(containerPortSchema, {
    description: 'List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Any port which is listening on the default "0.0.0.0" address inside a container will be accessible from the network. Modifying this array with strategic merge patch may corrupt the data. For more information See https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.',
    patchMergeKey: 'containerPort', patchStrategy: 'merge', listType: 'map', listMapKeys: ['containerPort', 'protocol'],
  }),
  envFrom: s.array(envFromSourceSchema, { description: 'List of sources to populate environment variables in the container. The keys defined within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when the container is starting. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.', listType: 'atomic' }),
  env: s.array(envVarSchema, { description: 'List of environment variables to set in the container. Cannot be updated.', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] }),
  resources: { ...resourceRequirementsSchema, description: 'Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/', default: {} },
  resizePolicy: s.array(s.object({
    resourceName: s.string('Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.'),
    restartPolicy: s.string('Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired.'),
  }, { name: `${V1}.ContainerResizePolicy`, required: ['resourceName', 'restartPolicy'], description: 'ContainerResizePolicy represents resource resize policy for the container.' }), { description: 'Resources resize policy for the container.', listType: 'atomic' }),
  restartPolicy: s.string('RestartPolicy defines the restart behavior of individual containers in a pod. This field may only be set for init containers, and the only allowed value is "Always".'),
  volumeMounts: s.array(volumeMountSchema, { description: "Pod volumes to mount into the container's filesystem. Cannot be updated.", patchMergeKey: 'mountPath', patchStrategy: 'merge', listType: 'map', listMapKeys: ['mountPath'] }),
  volumeDevices: s.array(volumeDeviceSchema, { description: 'volumeDevices is the list of block devices to be used by the container.', patchMergeKey: 'devicePath', patchStrategy: 'merge', listType: 'map', listMapKeys: ['devicePath'] }),
  livenessProbe: { ...probeSchema, description: 'Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes' },
  readinessProbe: { ...probeSchema, description: 'Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes' },
  startupProbe: { ...probeSchema, description: 'StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes' },
  lifecycle: { ...lifecycleSchema, description: 'Actions that the management system should take in response to container lifecycle events. Cannot be updated.' },
  terminationMessagePath: s.string({ description: "Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log. Cannot be updated.", default: '/dev/termination-log' }),
  terminationMessagePolicy: s.string({ description: 'Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. FallbackToLogsOnError will use the last chunk of container log output if the termination message file is empty and the container exited with an error. Defaults to File. Cannot be updated.\n\nPossible enum values:\n - `"FallbackToLogsOnError"` will read the most recent contents of the container logs for the container status message when the container exits with an error and the terminationMessagePath has no contents.\n - `"File"` is the default behavior and will set the container status message to the contents of the container\'s terminationMessagePath when the container exits.', enum: ['FallbackToLogsOnError', 'File'], default: 'File' }),
  imagePullPolicy: s.string({ description: 'Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images\n\nPossible enum values:\n - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.\n - `"IfNotPresent"` means that kubelet pulls if the image isn\'t present on disk. Container will fail if the image isn\'t present and the pull fails.\n - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn\'t present', enum: ['Always', 'IfNotPresent', 'Never'] }),
  securityContext: { ...securityContextSchema, description: 'SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/' },
  stdin: s.bool('Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.'),
  stdinOnce: s.bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach. When stdin is true the stdin stream will remain open across multiple attach sessions. Default is false'),
  tty: s.bool("Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false."),
};

/** The tag kubelet would pull: `latest` when neither tag nor digest is given (parsers.ParseImageName). */
export function imageTag(image: string): { tag: string; digest: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : '';
  const ref = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? ref.slice(colon + 1) : '';
  if (!tag && !digest) return { tag: 'latest', digest };
  return { tag, digest };
}

/** SetDefaults_Container's imagePullPolicy: Always for `:latest` (or no tag), else IfNotPresent. */
function defaultContainer(c: { image?: string; imagePullPolicy?: string }): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '').tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export const containerSchema = s.object(containerProps, {
  name: `${V1}.Container`, required: ['name'], defaulter: defaultContainer,
  description: 'A single application container that you want to run within a pod.',
});

export const ephemeralContainerSchema = s.object({
  ...containerProps,
  targetContainerName: s.string('If set, the name of the container from PodSpec that this ephemeral container targets. The ephemeral container will be run in the namespaces (IPC, PID, etc) of this container.'),
}, {
  name: `${V1}.EphemeralContainer`, required: ['name'], defaulter: defaultContainer,
  description: 'An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.',
});

export type Container = Infer<typeof containerSchema>;
export type EphemeralContainer = Infer<typeof ephemeralContainerSchema>;
export type ContainerPort = Infer<typeof containerPortSchema>;
export type EnvVar = Infer<typeof envVarSchema>;
export type EnvFromSource = Infer<typeof envFromSourceSchema>;
export type VolumeMount = Infer<typeof volumeMountSchema>;
export type ResourceRequirements = Infer<typeof resourceRequirementsSchema>;
export type SecurityContext = Infer<typeof securityContextSchema>;
