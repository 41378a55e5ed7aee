/**
 * apps workloads (Deployment, ReplicaSet): a write through /status may not change labels
 * (deploymentStatusStrategy / replicaSetStatusStrategy keep the stored ones).
 */
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';

export const workloadStrategy: Strategy = {
  prepareForStatusUpdate(obj, old) {
    if (old.metadata.labels === undefined) delete obj.metadata.labels;
    else obj.metadata.labels = cloneJson(old.metadata.labels);
  },
};
