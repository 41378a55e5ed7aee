/**
 * Times the store's reads and writes as etcd_request_duration_seconds{operation,type} (kube-apiserver's
 * etcd3 metrics; the label is the resource, `pods` or `deployments.apps`, from the key
 * /registry/<group|core>/<plural>/...). A Proxy, so every other member of the store (and instanceof)
 * is the store's own.
 */
import type { Store } from '../../store/index.js';
import { storeDuration } from './apiserver-metrics.js';
import type { Series } from './series-histogram.js';

const TIMED = new Set(['create', 'get', 'update', 'delete', 'list', 'count']);

/** `pods` for /registry/core/pods/ns/a, `deployments.apps` for /registry/apps/deployments/ns/a. */
export function keyType(key: string): string {
  const [, root, group, plural] = key.split('/', 4);
  if (root !== 'registry' || !group || !plural) return 'unknown';
  return group === 'core' ? plural : `${plural}.${group}`;
}

/** The series of `operation` on the resource of `key`, resolved once per resource prefix. */
function seriesFor(operation: string): (key: string) => Series {
  const byType = new Map<string, Series>();
  return (key) => {
    // /registry/<group>/<plural>/...: the prefix up to the slash after the plural names the type.
    const end = key.indexOf('/', key.indexOf('/', key.indexOf('/', 1) + 1) + 1);
    const prefix = end < 0 ? key : key.slice(0, end);
    let s = byType.get(prefix);
    if (!s) byType.set(prefix, (s = storeDuration.seriesOf({ operation, type: keyType(key) })));
    return s;
  };
}

export function withStoreMetrics(store: Store): Store {
  // One timed wrapper per method, made on first use: a property read costs a map lookup.
  const timed = new Map<string, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !TIMED.has(prop) || typeof v !== 'function') return v;
      let fn = timed.get(prop);
      if (!fn) {
        const series = seriesFor(prop === 'count' ? 'listWithCount' : prop);
        const method = v as (...a: unknown[]) => Promise<unknown>;
        fn = (key: string, ...rest: unknown[]) => {
          const s = series(key);
          const start = performance.now();
          const end = (): void => storeDuration.observe(s, (performance.now() - start) / 1000);
          const p = method.call(target, key, ...rest);
          void p.then(end, end);
          return p;
        };
        timed.set(prop, fn);
      }
      return fn;
    },
  });
}
