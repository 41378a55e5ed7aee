/**
 * A pod's QoS class (status.qosClass), in a file of its own so node agents can use it without
 * loading every kind's schema.
 */
type AnyContainer = { resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> } };

interface PodLike {
  spec?: { initContainers?: AnyContainer[]; containers?: AnyContainer[] };
}

/** qos.GetPodQOS, simplified to the equal-quantity test the apiserver needs for status.qosClass. */
export function podQOSClass(pod: PodLike): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const cs: AnyContainer[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? {};
    return ['cpu', 'memory'].every((k) => l[k] !== undefined && String(r[k] ?? l[k]) === String(l[k]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
