/** The strategy of each resource that needs one, keyed by `<group>/<plural>` (core group: ''). */
import type { ResourceDefinition } from '../../../api/resource.js';
import { customResourceDefinitionStrategy } from './custom-resource-definition.js';
import { certificateSigningRequestStrategy } from './certificate-signing-request.js';
import { daemonSetStrategy } from './daemon-set.js';
import { jobStrategy } from './job.js';
import { namespaceStrategy } from './namespace.js';
import { ingressStrategy, networkPolicyStrategy } from './networking.js';
import { nodeStrategy } from './node.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './persistent-volume.js';
import { podStrategy } from './pod.js';
import { priorityClassStrategy } from './priority-class.js';
import { serviceStrategy } from './service.js';
import type { Strategy } from './types.js';
import { workloadStrategy } from './workload.js';

const STRATEGIES: Record<string, Strategy> = {
  '/namespaces': namespaceStrategy,
  '/pods': podStrategy,
  '/nodes': nodeStrategy,
  '/services': serviceStrategy,
  '/persistentvolumes': persistentVolumeStrategy,
  '/persistentvolumeclaims': persistentVolumeClaimStrategy,
  'apps/deployments': workloadStrategy,
  'apps/replicasets': workloadStrategy,
  'apps/daemonsets': daemonSetStrategy,
  'apps/statefulsets': workloadStrategy,
  'batch/jobs': jobStrategy,
  'batch/cronjobs': workloadStrategy,
  '/endpoints': { allowCreateOnUpdate: true },
  '/events': { allowCreateOnUpdate: true },
  'events.k8s.io/events': { allowCreateOnUpdate: true },
  'coordination.k8s.io/leases': { allowCreateOnUpdate: true },
  'scheduling.k8s.io/priorityclasses': priorityClassStrategy,
  'networking.k8s.io/ingresses': ingressStrategy,
  'networking.k8s.io/networkpolicies': networkPolicyStrategy,
  'certificates.k8s.io/certificatesigningrequests': certificateSigningRequestStrategy,
  'apiextensions.k8s.io/customresourcedefinitions': customResourceDefinitionStrategy,
};

export function strategyFor(def: Pick<ResourceDefinition, 'group' | 'plural'>): Strategy {
  return STRATEGIES[`${def.group}/${def.plural}`] ?? {};
}

export type { Strategy } from './types.js';
