/**
 * A pod's QoS class (pkg/apis/core/helper/qos.GetPodQOS): BestEffort without any cpu/memory
 * request or limit; Guaranteed when every container limits cpu and memory and requests equal
 * limits; Burstable otherwise. Init containers count; requests default to limits.
 */
import { parseQuantity } from '../../../api/quantity/index.js';

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };
type Container = { resources?: Resources };
const TRACKED = ['cpu', 'memory'];

function isZero(q: string): boolean {
  try {
    return parseQuantity(q).cmp(parseQuantity('0')) === 0;
  } catch {
    return false;
  }
}

function sameQuantity(a: string, b: string): boolean {
  try {
    return parseQuantity(a).equals(parseQuantity(b));
  } catch {
    return a === b;
  }
}

export function podQosClass(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const r of TRACKED) {
      const req = requests[r];
      const lim = limits[r];
      if ((req !== undefined && !isZero(req)) || (lim !== undefined && !isZero(lim))) any = true;
      if (lim === undefined || req === undefined || !sameQuantity(req, lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed && containers.length > 0 ? 'Guaranteed' : 'Burstable';
}
