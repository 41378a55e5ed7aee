/**
 * The controller manager's configuration: one object, built by `bosun server` from its flags (or by
 * a test), handed to every controller through the controllers table (index.ts) when it is declared.
 * Controllers read their options from here and nowhere else (no module-level state), as
 * kube-controller-manager's controllers each receive their part of one ControllerContext.
 */
import type { CsrSigningOptions } from './csr-signing/csr-signing-controller.js';
import type { HpaControllerOptions } from './horizontal-pod-autoscaler/hpa-controller.js';
import type { NodeLifecycleOptions } from './node-lifecycle/node-lifecycle-controller.js';
import type { NodeIpamOptions } from './node-ipam/node-ipam-controller.js';
import type { PersistentVolumeControllerOptions } from './persistentvolume/pv-controller.js';
import type { PodGcOptions } from './pod-gc/pod-gc-controller.js';
import type { ServiceLbOptions } from './service-lb/service-lb-controller.js';
import type { ServiceAccountTokenOptions } from './serviceaccount-tokens/serviceaccount-tokens-controller.js';

export interface ControllerConfig {
  /** Node IPAM: the cluster CIDR and node mask size (--cluster-cidr). */
  nodeIpam?: NodeIpamOptions;
  /** Node lifecycle: grace period and default toleration (--node-monitor-grace-period, --default-toleration-seconds). */
  nodeLifecycle?: NodeLifecycleOptions;
  /** ServiceLB: the address pool (--service-lb-pool). */
  serviceLb?: ServiceLbOptions;
  /** Pod GC: --terminated-pod-gc-threshold. */
  podGc?: PodGcOptions;
  /** PV binder: where local-path volumes go on nodes that do not say, and the deletion helper's image. */
  persistentVolume?: PersistentVolumeControllerOptions;
  /** HPA: sync period (15 s), tolerance, CPU initialization period, readiness delay, downscale window (the --horizontal-pod-autoscaler-* flags). */
  horizontalPodAutoscaler?: HpaControllerOptions;
  /** The tokens controller: the API server's legacy token signer (--service-account-private-key-file). */
  serviceAccountToken?: ServiceAccountTokenOptions;
  /** csrsigning: the CA that signs approved CertificateSigningRequests (--cluster-signing-cert-file/-key-file) and --cluster-signing-duration. */
  csrSigning?: CsrSigningOptions;
}
