/**
 * The cache mutation detector (client-go's KUBE_CACHE_MUTATION_DETECTOR,
 * tools/cache/mutation_detector.go): a development and test check that code which shares an object
 * it must not write (an informer's cached object, the API server's decoding of a stored version)
 * really does not write it. Upstream checks nothing in production; here a shared object is
 * deep-frozen while the detector is on, so a write fails at once (a TypeError in strict code)
 * instead of corrupting what others read.
 */

/**
 * BOSUN_CACHE_MUTATION_DETECTOR=true (or 1) turns it on, false (or anything else) off; unset or
 * empty, it is on under node's test runner (which sets NODE_TEST_CONTEXT in every test file's
 * process; processes those start inherit it) and off otherwise.
 */
export function mutationDetectorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = env.BOSUN_CACHE_MUTATION_DETECTOR;
  if (set !== undefined && set !== '') return set === 'true' || set === '1';
  return env.NODE_TEST_CONTEXT !== undefined;
}

/** Freeze an object graph in place (plain JSON data only). */
export function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj)) deepFreeze(v);
  }
  return obj;
}
