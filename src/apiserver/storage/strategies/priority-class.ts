/**
 * scheduling.k8s.io/v1 PriorityClass: the Priority admission plugin's check that only one class is
 * globalDefault (on create and update), reading the classes from the same store.
 */
import { priorityClasses, type PriorityClass } from '../../../api/kinds/scheduling/priority-class.js';
import type { Store } from '../../../store/types.js';
import { admitPriorityClass, type PriorityClassList } from '../../admission/priority.js';
import { decodeKv } from '../codec.js';
import { resourcePrefix } from '../keys.js';
import type { Strategy } from './types.js';

/** Every PriorityClass in `store` (a handful: read through on each pod create, as the plugin's lister). */
export function storedPriorityClasses(store: Store): PriorityClassList {
  return async () => (await store.list(resourcePrefix(priorityClasses))).items.map((kv) => decodeKv(priorityClasses, kv) as PriorityClass);
}

export const priorityClassStrategy: Strategy = {
  async validateAdmission(obj, _old, _ctx, env) {
    await admitPriorityClass(obj as PriorityClass, storedPriorityClasses(env.store));
  },
};
