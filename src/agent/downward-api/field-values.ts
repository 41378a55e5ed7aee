import type { Container, Pod } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';

/**
 * Downward API values (fieldRef, resourceFieldRef) shared by a container's env (pods/env.ts) and
 * downwardAPI volumes (volumes/projections.ts). A bad reference is a ContainerConfigError, which the
 * pod worker shows as the container's CreateContainerConfigError.
 */

export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** Value of a downward API field path (metadata.name, labels['x'], status.podIP, ...). */
export function fieldRefValue(pod: Pod, fieldPath: string, podIP = '', hostIP = ''): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    case 'status.podIP': case 'status.podIPs': return podIP;
    default: throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** `key="value"` lines, sorted, as the downward API formats labels and annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** Value of a resourceFieldRef (limits.cpu, requests.memory, ...), defaulting limits to node allocatable. */
export function resourceFieldValue(
  c: Pick<Container, 'resources' | 'name'>, resource: string, divisor: string | number | undefined, allocatable: { cpu: string; memory: string },
): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const amount = (kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name])
    ?? (kind === 'limits' ? (allocatable as Record<string, string>)[name] : undefined) ?? '0';
  const q = parseQuantity(String(amount));
  const d = parseQuantity(String(divisor ?? '1'));
  if (d.isZero()) throw new ContainerConfigError(`invalid divisor for ${resource}`);
  // Round up, as upstream's ExtractContainerResourceValue does.
  const num = q.nanos, den = d.nanos;
  const v = num % den === 0n ? num / den : num / den + 1n;
  return v.toString();
}
