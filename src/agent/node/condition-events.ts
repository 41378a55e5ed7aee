/**
 * The events kubelet records when a node condition changes (pkg/kubelet/nodestatus/setters.go:
 * recordEventFunc(Normal, reason) -> "Node NAME status is now: REASON"), about the Node with its name
 * as UID, as kubelet's nodeRef (`kubectl describe node` reads events by both UIDs). A condition seen
 * for the first time counts as changed, so a newly registered node shows NodeHasSufficientMemory,
 * NodeHasNoDiskPressure, NodeHasSufficientPID and NodeReady.
 */
interface Condition {
  type?: string;
  status?: string;
}

const REASONS: Record<string, { True: string; False: string }> = {
  MemoryPressure: { True: 'NodeHasInsufficientMemory', False: 'NodeHasSufficientMemory' },
  DiskPressure: { True: 'NodeHasDiskPressure', False: 'NodeHasNoDiskPressure' },
  PIDPressure: { True: 'NodeHasInsufficientPID', False: 'NodeHasSufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

/** The reasons to record, in kubelet's setter order, for the conditions that changed from `prev` to `next`. */
export function conditionEvents(prev: readonly Condition[] | undefined, next: readonly Condition[] | undefined): string[] {
  const out: string[] = [];
  for (const [type, reasons] of Object.entries(REASONS)) {
    const now = next?.find((c) => c.type === type)?.status;
    if (now !== 'True' && now !== 'False') continue;
    if (prev?.find((c) => c.type === type)?.status !== now) out.push(reasons[now]);
  }
  return out;
}

/** kubelet's nodeRef: the Node with its name as UID. */
export function kubeletNodeRef(nodeName: string): { apiVersion: string; kind: string; metadata: { name: string; uid: string } } {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: nodeName } };
}
