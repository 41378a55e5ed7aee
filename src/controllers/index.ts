/**
 * Every built-in controller, by the name `bosun controller-manager --controllers` would use
 * (upstream kube-controller-manager names). Each entry declares its controller on a manager, with
 * its part of the one ControllerConfig (config.ts); the manager starts them together once its
 * caches have synced.
 */
import type { Controller } from '../controller-runtime/controller.js';
import type { Manager } from '../controller-runtime/manager.js';
import type { ControllerConfig } from './config.js';
import { addDaemonSetController } from './daemonset/daemonset-controller.js';
import { addCronJobController } from './cronjob/cronjob-controller.js';
import { addClusterRoleAggregationController } from './clusterrole-aggregation/clusterrole-aggregation.js';
import { addCsrSigningController } from './csr-signing/csr-signing-controller.js';
import { addDeploymentController } from './deployment/deployment-controller.js';
import { addDisruptionController } from './disruption/disruption-controller.js';
import { addEndpointsController } from './endpoints/endpoints-controller.js';
import { addEndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { addEndpointSliceMirroringController } from './endpointslice-mirroring/mirroring-controller.js';
import { addGarbageCollector } from './garbage-collector/garbage-collector.js';
import { addHorizontalPodAutoscalerController } from './horizontal-pod-autoscaler/hpa-controller.js';
import { addIngressStatusController } from './ingress-status/ingress-status-controller.js';
import { addJobController } from './job/job-controller.js';
import { addNamespaceController } from './namespace/namespace-controller.js';
import { addNodeIpamController } from './node-ipam/node-ipam-controller.js';
import { addNodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import { addPersistentVolumeController } from './persistentvolume/pv-controller.js';
import { addPodGcController } from './pod-gc/pod-gc-controller.js';
import { replicationControllerKind } from './replicaset/managed-kind.js';
import { addReplicaSetController } from './replicaset/replicaset-controller.js';
import { addResourceQuotaController } from './resource-quota/resource-quota-controller.js';
import { addRootCaCertPublisher } from './root-ca-cert-publisher/root-ca-cert-publisher.js';
import { addServiceLbController } from './service-lb/service-lb-controller.js';
import { addServiceAccountsController } from './serviceaccounts/serviceaccounts-controller.js';
import { addServiceAccountTokensController } from './serviceaccount-tokens/serviceaccount-tokens-controller.js';
import { addStatefulSetController } from './statefulset/statefulset-controller.js';
import { addTtlAfterFinishedController } from './ttl-after-finished/ttl-after-finished.js';
import { addPvcProtectionController, addPvProtectionController } from './volume-protection/volume-protection.js';

export type AddController = (mgr: Manager, config?: ControllerConfig) => Controller;

export const controllers: Readonly<Record<string, AddController>> = {
  replicaset: (mgr) => addReplicaSetController(mgr),
  // v1 ReplicationControllers by the same controller, as upstream's ReplicationManager.
  replicationcontroller: (mgr) => addReplicaSetController(mgr, { kind: replicationControllerKind }),
  deployment: (mgr) => addDeploymentController(mgr),
  daemonset: (mgr) => addDaemonSetController(mgr),
  statefulset: (mgr) => addStatefulSetController(mgr),
  job: (mgr) => addJobController(mgr),
  'ttl-after-finished': (mgr) => addTtlAfterFinishedController(mgr),
  disruption: (mgr) => addDisruptionController(mgr),
  cronjob: (mgr) => addCronJobController(mgr),
  endpoints: (mgr) => addEndpointsController(mgr),
  endpointslice: (mgr) => addEndpointSliceController(mgr),
  endpointslicemirroring: (mgr) => addEndpointSliceMirroringController(mgr),
  garbagecollector: (mgr) => addGarbageCollector(mgr),
  namespace: (mgr) => addNamespaceController(mgr),
  nodeipam: (mgr, config) => addNodeIpamController(mgr, config?.nodeIpam),
  nodelifecycle: (mgr, config) => addNodeLifecycleController(mgr, config?.nodeLifecycle),
  servicelb: (mgr, config) => addServiceLbController(mgr, config?.serviceLb),
  // Bosun's: lost nodes' addresses out of the built-in Ingress controller's Ingresses.
  'ingress-status': (mgr) => addIngressStatusController(mgr),
  podgc: (mgr, config) => addPodGcController(mgr, config?.podGc),
  serviceaccount: (mgr) => addServiceAccountsController(mgr),
  'serviceaccount-token': (mgr, config) => addServiceAccountTokensController(mgr, config?.serviceAccountToken),
  'root-ca-cert-publisher': (mgr) => addRootCaCertPublisher(mgr),
  'persistentvolume-binder': (mgr, config) => addPersistentVolumeController(mgr, config?.persistentVolume),
  'pvc-protection': (mgr) => addPvcProtectionController(mgr),
  'pv-protection': (mgr) => addPvProtectionController(mgr),
  clusterrole: (mgr) => addClusterRoleAggregationController(mgr),
  horizontalpodautoscaling: (mgr, config) => addHorizontalPodAutoscalerController(mgr, config?.horizontalPodAutoscaler),
  csrsigning: (mgr, config) => addCsrSigningController(mgr, config?.csrSigning),
  resourcequota: (mgr) => addResourceQuotaController(mgr),
};
