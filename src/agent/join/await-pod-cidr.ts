/**
 * A joining node needs its pod CIDR before its CNI network can be written, and the control plane
 * assigns it (node IPAM) only to a Node that exists. So, as kubelet registers first and then waits
 * for spec.podCIDR: create the Node if it is not there (a bare object; the node agent fills in
 * labels and status when it starts), then wait until spec.podCIDR is set. While the server cannot
 * be reached (or answers 5xx/429) each request is retried (retry-transient.ts); that time does not
 * count against `timeoutMs`, which bounds only the wait for node IPAM.
 */
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { retryTransient } from './retry-transient.js';

export interface AwaitPodCidrOptions {
  client: KubeClient;
  nodeName: string;
  /** Default 60 s of the server answering without a pod CIDR. */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Told of each retry of a request that could not reach the server. */
  log?: (msg: string) => void;
}

export async function awaitPodCIDR(o: AwaitPodCidrOptions): Promise<string> {
  const nodes = o.client.nodes();
  const timeoutMs = o.timeoutMs ?? 60_000;
  const pollMs = o.pollMs ?? 500;
  const retry = { log: o.log, signal: o.signal };
  for (let waitedMs = 0; ; waitedMs += pollMs) {
    try {
      const n = await retryTransient(`GET node ${o.nodeName}`, () => nodes.get(o.nodeName), retry);
      if (n.spec?.podCIDR) return n.spec.podCIDR;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await retryTransient(`POST node ${o.nodeName}`, () => nodes.create({
        apiVersion: 'v1', kind: 'Node',
        metadata: { name: o.nodeName, labels: { 'kubernetes.io/hostname': o.nodeName, 'kubernetes.io/os': 'linux' } },
      }), retry).catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
      continue;
    }
    if (o.signal?.aborted) throw new Error('aborted while waiting for a pod CIDR');
    if (waitedMs > timeoutMs) {
      throw new Error(`node ${o.nodeName} was not assigned a pod CIDR within ${Math.round(timeoutMs / 1000)} s: is the node-ipam controller running on the server? (or pass --pod-cidr)`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
