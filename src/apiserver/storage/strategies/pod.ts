/**
 * Pods (pkg/registry/core/pod): status reset to Pending with the QoS class on create (plus the
 * SchedulingGated condition and matchLabelKeys merged into pod affinity terms, pod-create-mutations.ts); the
 * ServiceAccount admission plugin on create (admission/service-account.ts, reading ServiceAccounts
 * from the same store); /status may not touch ownerReferences; graceful deletion for pods bound to a
 * node (the node agent finishes the delete with gracePeriodSeconds=0), immediate deletion for
 * unbound or finished pods; PodSecurity admission on create and on significant updates.
 */
import { serviceAccounts } from '../../../api/kinds/core/service-account.js';
import { runtimeClasses } from '../../../api/kinds/node/runtime-class.js';
import type { KubeObject } from '../../../api/meta.js';
import { fe } from '../../../api/schema/errors.js';
import type { Store } from '../../../store/types.js';
import { admitPodPriority } from '../../admission/priority.js';
import { admitPodRuntimeClass, type RuntimeClassLookup } from '../../admission/runtime-class.js';
import { admitPodServiceAccount, type ServiceAccountLookup } from '../../admission/service-account.js';
import { decodeKv } from '../codec.js';
import { objectKey, resourcePrefix } from '../keys.js';
import { watchedReads } from '../watched-reads.js';
import { podQosClass } from './pod-qos.js';
import { storedPriorityClasses } from './priority-class.js';
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';
import { admitPod } from '../../admission/pod-security/storage-hooks.js';
import { podCreateWarnings } from '../../../api/kinds/core/pod-warnings.js';
import { nowTimestamp } from '../object-meta.js';
import { applySchedulingGatedCondition, mutatePodAffinity } from './pod-create-mutations.js';

const DEFAULT_GRACE_SECONDS = 30;

export const podStrategy: Strategy = {
  validate(obj, old) {
    // ValidatePodCreate: ephemeral containers come only through pods/ephemeralcontainers.
    return !old && obj.spec?.ephemeralContainers?.length ? [fe.forbidden('spec.ephemeralContainers', 'cannot be set on create')] : [];
  },
  async validateAdmission(obj, old, ctx, env, subresource) {
    // Upstream's WarningsOnCreate (pkg/api/pod/warnings.go), then PodSecurity. An update warns
    // nothing, as upstream's podStrategy.WarningsOnUpdate: pods are rarely edited by people, and
    // status and binding writes are the hottest update path.
    if (!old) ctx.warnings.push(...podCreateWarnings(obj.metadata, obj.spec));
    await admitPod(obj, old, ctx, env, subresource);
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: podQosClass(obj.spec) };
    applySchedulingGatedCondition(obj, nowTimestamp());
    mutatePodAffinity(obj);
  },
  prepareForUpdate(obj, old) {
    // The Priority admission keeps what it set at create when an update leaves it out (validation
    // refuses any other change to these fields).
    if (obj.spec && old.spec) {
      if (obj.spec.priority === undefined && old.spec.priority !== undefined) obj.spec.priority = old.spec.priority;
      if (obj.spec.preemptionPolicy === undefined && old.spec.preemptionPolicy !== undefined) obj.spec.preemptionPolicy = old.spec.preemptionPolicy;
    }
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
  forStore(store: Store): Strategy {
    // From the watched copy of ServiceAccounts, as upstream's plugin reads its lister (a miss is looked up live).
    const accounts = watchedReads(store, resourcePrefix(serviceAccounts));
    const lookup: ServiceAccountLookup = async (ns, name) => {
      const kv = await accounts.get(objectKey(serviceAccounts, ns, name));
      return kv ? decodeKv(serviceAccounts, kv) : undefined;
    };
    const runtimeClass: RuntimeClassLookup = async (name) => {
      const kv = await store.get(objectKey(runtimeClasses, undefined, name));
      return kv ? decodeKv(runtimeClasses, kv) : undefined;
    };
    const classes = storedPriorityClasses(store);
    return {
      ...podStrategy,
      forStore: undefined,
      admit: async (obj, ns) => {
        if (ns !== undefined) await admitPodServiceAccount(obj, ns, lookup);
        await admitPodPriority(obj, classes);
        // RuntimeClass comes after Priority in upstream's AllOrderedPlugins.
        await admitPodRuntimeClass(obj, runtimeClass);
      },
    };
  },
};
