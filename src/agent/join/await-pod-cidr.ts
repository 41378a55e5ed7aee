/**
 * A joining node needs its pod CIDR before its CNI network can be written, and the control plane
 * assigns it (node IPAM) only to a Node that exists. So, as kubelet registers first and then waits
 * for spec.podCIDR: create the Node if it is not there (a bare object; the node agent fills in
 * labels and status when it starts), then wait until spec.podCIDR is set.
 */
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';

export interface AwaitPodCidrOptions {
  client: KubeClient;
  nodeName: string;
  /** Default 60 s. */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

export async function awaitPodCIDR(o: AwaitPodCidrOptions): Promise<string> {
  const nodes = o.client.nodes();
  const end = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const n = await nodes.get(o.nodeName);
      if (n.spec?.podCIDR) return n.spec.podCIDR;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await nodes.create({
        apiVersion: 'v1', kind: 'Node',
        metadata: { name: o.nodeName, labels: { 'kubernetes.io/hostname': o.nodeName, 'kubernetes.io/os': 'linux' } },
      }).catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
      continue;
    }
    if (o.signal?.aborted) throw new Error('aborted while waiting for a pod CIDR');
    if (Date.now() > end) {
      throw new Error(`node ${o.nodeName} was not assigned a pod CIDR within ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s: is the node-ipam controller running on the server? (or pass --pod-cidr)`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
}
