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

/**
 * Every PriorityClass in `store`, as the plugin's lister: read once and kept until a store watch
 * on the classes says one changed (a list per pod create cost ~10% of the create). `fresh` reads
 * through, for a miss that a class created a moment ago may explain.
 */
export function storedPriorityClasses(store: Store): PriorityClassList {
  const prefix = resourcePrefix(priorityClasses);
  const read = async () => (await store.list(prefix)).items.map((kv) => decodeKv(priorityClasses, kv));
  let cached: Promise<PriorityClass[]> | undefined;
  let watching = false;
  const drop = () => {
    cached = undefined;
  };
  return (fresh) => {
    if (fresh) return read();
    if (!watching) {
      watching = true;
      store.watch(prefix, store.currentRevision(), { onEvents: drop, onError: () => { drop(); watching = false; } });
    }
    const p = (cached ??= read());
    p.catch(drop);
    return p;
  };
}

export const priorityClassStrategy: Strategy<PriorityClass> = {
  async validateAdmission(obj, _old, _ctx, env) {
    await admitPriorityClass(obj, storedPriorityClasses(env.store));
  },
};
