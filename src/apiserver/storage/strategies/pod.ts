/**
 * Pods (pkg/registry/core/pod): status reset to Pending with the QoS class on create; /status may
 * not touch ownerReferences; graceful deletion for pods bound to a node (the node agent finishes
 * the delete with gracePeriodSeconds=0), immediate deletion for unbound or finished pods;
 * PodSecurity admission on create and on significant updates.
 */
import type { KubeObject } from '../../../api/meta.js';
import { podQosClass } from './pod-qos.js';
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';
import { admitPod } from '../../admission/pod-security/storage-hooks.js';

const DEFAULT_GRACE_SECONDS = 30;

export const podStrategy: Strategy = {
  validateAdmission: admitPod,
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: podQosClass(obj.spec) };
  },
  prepareForStatusUpdate(obj, old) {
    if (old.metadata.ownerReferences === undefined) delete obj.metadata.ownerReferences;
    else obj.metadata.ownerReferences = cloneJson(old.metadata.ownerReferences);
  },
  gracePeriod(obj: KubeObject, opts) {
    let period = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!obj.spec?.nodeName) period = 0;
    if (obj.status?.phase === 'Failed' || obj.status?.phase === 'Succeeded') period = 0;
    if (period < 0) period = 1;
    return period;
  },
};
