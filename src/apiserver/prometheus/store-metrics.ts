/**
 * Times the store's reads and writes as etcd_request_duration_seconds{operation,type} (kube-apiserver's
 * etcd3 metrics; the label is the resource, `pods` or `deployments.apps`, from the key
 * /registry/<group|core>/<plural>/...). A Proxy, so every other member of the store (and instanceof)
 * is the store's own.
 */
import type { Store } from '../../store/index.js';
import { storeDuration } from './apiserver-metrics.js';

const TIMED = new Set(['create', 'get', 'update', 'delete', 'list', 'count']);

/** `pods` for /registry/core/pods/ns/a, `deployments.apps` for /registry/apps/deployments/ns/a. */
export function keyType(key: string): string {
  const [, root, group, plural] = key.split('/', 4);
  if (root !== 'registry' || !group || !plural) return 'unknown';
  return group === 'core' ? plural : `${plural}.${group}`;
}

export function withStoreMetrics(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !TIMED.has(prop) || typeof v !== 'function') return v;
      const operation = prop === 'count' ? 'listWithCount' : prop;
      return (key: string, ...rest: unknown[]) => {
        const end = storeDuration.startTimer({ operation, type: keyType(key) });
        const p = (v as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
        void p.then(() => end(), () => end());
        return p;
      };
    },
  });
}
