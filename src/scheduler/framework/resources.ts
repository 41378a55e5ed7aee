/**
 * Resource amounts as plain numbers (CPU in millicores, everything else in whole units), parsed once
 * per pod and node so a scheduling cycle never parses a quantity. The pod side (requests as
 * upstream's resourcehelper.PodRequests) is src/api/pod-requests.ts, which the agent's admission
 * shares; the node side is here.
 */
import { toResourceList, type ResourceList } from '../../api/pod-requests.js';
import type { Node } from './types.js';

export {
  amount, CPU, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, EPHEMERAL_STORAGE, MEMORY, PODS, podRequests, toResourceList, type ResourceList,
} from '../../api/pod-requests.js';

/** What the node offers to pods: status.allocatable, or status.capacity when allocatable is absent. */
export function nodeAllocatable(node: Node): ResourceList {
  return toResourceList(node.status?.allocatable ?? node.status?.capacity);
}
