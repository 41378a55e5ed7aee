/**
 * The known, justified differences between what Bosun serves and upstream v1.32's definitions
 * (drift.ts prints them). The drift test fails on any difference not listed here, and on any entry
 * here that no longer occurs, so this file stays exactly the list of what Bosun knowingly does
 * differently. Each group says why.
 */

/**
 * Subtrees Bosun serves loosely: the field is an object (or list of objects) with
 * x-kubernetes-preserve-unknown-fields, so whatever a client sends is accepted, stored and returned
 * whole, but not validated, defaulted or explained below that point. Upstream's typed definition
 * lands when a feature needs it (each is a volume source, status detail or option Bosun does not act on).
 */
export const LOOSE_FIELDS: Record<string, string[]> = {
  V1ContainerStatus: ['allocatedResourcesStatus', 'resources', 'user', 'volumeMounts'],
  // A CRD version's schema is recursive JSONSchemaProps: checked by src/api/crd/structural.ts, not by the kind's schema.
  V1CustomResourceValidation: ['openAPIV3Schema'],
  V1NodeDaemonEndpoints: ['kubeletEndpoint'],
  V1NodeSpec: ['configSource'],
  V1NodeStatus: ['config', 'features', 'runtimeHandlers', 'volumesAttached'],
  V1PersistentVolumeClaimStatus: ['modifyVolumeStatus'],
  V1PersistentVolumeSpec: ['awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'glusterfs', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume'],
  V1PodSpec: ['resources'],
  V1PodStatus: ['resourceClaimStatuses'],
  V1SecurityContext: ['capabilities'],
  V1ServiceStatus: ['conditions'],
  V1SessionAffinityConfig: ['clientIP'],
  V1Volume: ['awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'image', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume'],
  V1VolumeProjection: ['clusterTrustBundle'],
};

export interface KnownDrift {
  reason: string;
  lines: string[];
}

export const KNOWN_DRIFT: KnownDrift[] = [
  {
    reason: "Upstream's OpenAPI `required` comes from Go fields without omitempty; kube-apiserver does not " +
      'enforce it on built-in kinds (their validation is Go code, e.g. ValidateStatefulSetSpec accepts an ' +
      "empty serviceName in v1.32). Bosun's schema `required` is enforced structurally, so marking these " +
      'would reject writes upstream accepts (status from older agents, a StatefulSet without serviceName).',
    lines: [
      'V1ContainerStatus.image: not required (upstream requires it)',
      'V1ContainerStatus.imageID: not required (upstream requires it)',
      'V1ContainerStatus.ready: not required (upstream requires it)',
      'V1ContainerStatus.restartCount: not required (upstream requires it)',
      ...['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID']
        .map((f) => `V1NodeSystemInfo.${f}: not required (upstream requires it)`),
      'V1PodFailurePolicyOnPodConditionsPattern.status: not required (upstream requires it)',
      'V1StatefulSetSpec.serviceName: not required (upstream requires it)',
      'V1Condition.message: not required (upstream requires it)',
      // validateHTTPIngressPath words a missing pathType itself: "Required value: pathType must be specified".
      'V1HTTPIngressPath.pathType: not required (upstream requires it)',
      // A Go struct, not a pointer: a body without it decodes as the empty selector (SetDefaults_NetworkPolicy here).
      'V1NetworkPolicySpec.podSelector: not required (upstream requires it)',
    ],
  },
  {
    reason: 'Fields from upstream v1.33 (alpha there: DeploymentReplicaSetTerminatingReplicas, ' +
      'PreferSameTrafficDistribution, ContainerStopSignals) that Bosun already serves: accepted and stored, ' +
      'not yet acted on. kubectl v1.32 ignores them; a v1.32 apiserver would drop them with an unknown-field warning.',
    lines: [
      'V1DeploymentStatus.terminatingReplicas: extra',
      'V1ReplicaSetStatus.terminatingReplicas: extra',
      'V1EndpointHints.forNodes: extra',
      'V1Lifecycle.stopSignal: extra',
    ],
  },
];

/** The reason a drift line is allowed, or undefined. Loose fields match `<Model>.<field>: type any ...`. */
export function allowance(line: string): string | undefined {
  const loose = /^(\w+)\.(\w+): type (?:any|Array<any>) \(upstream /.exec(line);
  if (loose && LOOSE_FIELDS[loose[1]!]?.includes(loose[2]!)) return 'served loosely (LOOSE_FIELDS)';
  return KNOWN_DRIFT.find((g) => g.lines.includes(line))?.reason;
}

/** Every entry, as the `<Model>.<field>` it names, for the check that none is stale. */
export function allowedEntries(): string[] {
  return [
    ...Object.entries(LOOSE_FIELDS).flatMap(([m, fs]) => fs.map((f) => `${m}.${f}: type `)),
    ...KNOWN_DRIFT.flatMap((g) => g.lines),
  ];
}

/** Fields whose served enum differs from upstream's (enums.ts), each with its reason. */
export const ENUM_EXCEPTIONS: Record<string, string> = {
  'core.Toleration.effect': 'Bosun lists "" too: an empty effect (match all effects) is valid upstream, and ' +
    "Bosun's schema enforces `enum` structurally where kube-apiserver's Go validation does not.",
  'meta.DeleteOptions.propagationPolicy': 'upstream checks the value in Go (Orphan, Foreground, Background: ' +
    'ValidateDeleteOptions); Bosun states the same set as a schema enum, so it is checked and explained structurally.',
};
