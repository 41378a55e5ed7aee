/**
 * The node's CSINode (upstream pkg/volume/csi/nodeinfomanager, InitializeCSINodeWithAnnotation): a
 * kubelet creates storage.k8s.io/v1 CSINode <node> with no drivers, owned by its Node (so it goes
 * with the Node), before any CSI driver registers. Bosun runs no CSI drivers, so the list stays
 * empty. A CSINode left from an earlier Node of the same name is given the current Node as owner.
 * The node authorizer lets a node touch only its own CSINode (src/apiserver/authz/node-authorizer.ts).
 */
import type { Node } from '../../api/kinds/index.js';
import type { CSINode } from '../../api/kinds/storage/csi-node.js';
import type { KubeClient } from '../../client/kube-client.js';
import { isAlreadyExists } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';

const ownerOf = (node: Node) => ({ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! });

export async function publishCsiNode(client: KubeClient, node: Node): Promise<CSINode> {
  const csiNodes = client.resource<CSINode>(resources.csinodes);
  const owner = ownerOf(node);
  try {
    return await csiNodes.create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: owner.name, ownerReferences: [owner] }, spec: { drivers: [] } } as CSINode);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await csiNodes.get(owner.name);
  if (existing.metadata.ownerReferences?.some((r) => r.kind === 'Node' && r.uid === owner.uid)) return existing;
  const others = (existing.metadata.ownerReferences ?? []).filter((r) => r.kind !== 'Node');
  return csiNodes.update({ ...existing, metadata: { ...existing.metadata, ownerReferences: [...others, owner] } });
}
