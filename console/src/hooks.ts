/** Hooks binding views to live lists. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { acquire, release, type LiveList } from './live-list.js';

/**
 * The live list of `plural` across all namespaces; when the user may not list cluster-wide (403) and
 * picked a namespace, that namespace's list instead (the console only ever has the user's rights).
 */
export function useLive(plural: string, namespace = ''): LiveList {
  const [, setTick] = useState(0);
  const [forbiddenAll, setForbiddenAll] = useState(false);
  const scope = forbiddenAll ? namespace : '';
  const list = useMemo(() => acquire(plural, scope), [plural, scope]);
  const ns = useRef(namespace);
  ns.current = namespace;
  useEffect(() => {
    const check = (): void => {
      if (list.errorCode === 403 && list.namespace === '' && ns.current) setForbiddenAll(true);
      setTick((t) => t + 1);
    };
    const off = list.subscribe(check);
    check();
    return () => {
      off();
      release(list);
    };
  }, [list]);
  return list;
}

/** Re-renders every `ms` (ages, charts). */
export function useTick(ms: number): number {
  const [t, setT] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setT((x) => x + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return t;
}
