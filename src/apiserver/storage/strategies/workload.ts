/**
 * apps workloads (Deployment, ReplicaSet): a write through /status may not change labels
 * (deploymentStatusStrategy / replicaSetStatusStrategy keep the stored ones). Their pod templates
 * get PodSecurity warnings (never refusals), as upstream.
 */
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';
import { admitPodTemplate } from '../../admission/pod-security/storage-hooks.js';

export const workloadStrategy: Strategy = {
  validateAdmission: admitPodTemplate,
  prepareForStatusUpdate(obj, old) {
    if (old.metadata.labels === undefined) delete obj.metadata.labels;
    else obj.metadata.labels = cloneJson(old.metadata.labels);
  },
};
