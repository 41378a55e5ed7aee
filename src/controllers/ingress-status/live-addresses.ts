/**
 * Which status.loadBalancer.ingress entries of a Bosun-class Ingress still name a node that can
 * serve it (pure): an `ip` entry stays while it is an address (InternalIP or ExternalIP) of a Node
 * whose Ready condition is True and that is not being deleted; entries of nodes that are gone,
 * NotReady or Unknown (died without withdrawing their entry) go, as ingress-nginx publishes only the
 * nodes of its Running and Ready pods (internal/ingress/status/status.go runningAddresses; a pod on
 * a lost node is made NotReady). `hostname` entries are not a node's and stay.
 */
import type { Node } from '../../api/kinds/core/node.js';
import { parseIP } from '../../api/net/ip.js';

export interface LbIngress { ip?: string; hostname?: string; ports?: unknown[] }

function isReady(node: Readonly<Node>): boolean {
  return !node.metadata.deletionTimestamp && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** The canonical addresses of the Ready nodes. */
export function liveNodeAddresses(nodes: readonly Readonly<Node>[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    if (!isReady(n)) continue;
    for (const a of n.status?.addresses ?? []) {
      if (a.type !== 'InternalIP' && a.type !== 'ExternalIP') continue;
      const ip = parseIP(a.address ?? '')?.text;
      if (ip) out.add(ip);
    }
  }
  return out;
}

/** `current` without the entries of nodes not in `live`, order kept; undefined when nothing goes. */
export function prunedAddresses(current: readonly LbIngress[], live: ReadonlySet<string>): LbIngress[] | undefined {
  const kept = current.filter((e) => !e.ip || live.has(parseIP(e.ip)?.text ?? e.ip));
  return kept.length === current.length ? undefined : kept;
}

/** Whether a Node change can change `liveNodeAddresses`: readiness, deletion or addresses. */
export function livenessChanged(before: Readonly<Node>, after: Readonly<Node>): boolean {
  return isReady(before) !== isReady(after) || JSON.stringify(before.status?.addresses ?? []) !== JSON.stringify(after.status?.addresses ?? []);
}
