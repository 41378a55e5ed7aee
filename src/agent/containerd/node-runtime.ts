import { join } from 'node:path';
import { writeCniConfig } from '../cni/conflist.js';
import { removeIdleHostportChains } from '../cni/hostport-cleanup.js';
import { CriRuntime } from '../runtime/cri/cri-runtime.js';
import type { RegistryConfig, RegistryHost } from './config.js';
import { ensurePauseImage } from './pause-image.js';
import { startContainerd, type ContainerdHandle } from './supervisor.js';

/**
 * Brings up a node's container runtime under Bosun's data dir: the CNI network for the node's pod
 * CIDR, a private containerd, the pause image; returns the CRI runtime the agent drives.
 * Layout: DATA_DIR/containerd (containerd's root, state, sockets, certs.d, CNI conf), and
 * DATA_DIR/cni/networks (host-local IP allocations).
 */

export interface NodeRuntimeOptions {
  dataDir: string;
  /** The node's pod CIDR, e.g. "10.42.0.0/24". */
  podCIDR: string;
  /** Bridge name (default "bosun0"). */
  bridge?: string;
  registries?: RegistryHost[];
  /** A registries file's mirrors and credentials (src/agent/registries). */
  registryConfig?: RegistryConfig;
  cniBinDir?: string;
  /** See CniNetworkOptions.ipMasq. */
  ipMasq?: boolean;
}

export interface NodeRuntime {
  runtime: CriRuntime;
  containerd: ContainerdHandle;
  /**
   * Closes the CRI connection and stops containerd. Pods keep running (their shims outlive it), as
   * after a kubelet stop; stop and remove them through `runtime` first for a full node shutdown.
   */
  stop(): Promise<void>;
}

export async function startNodeRuntime(o: NodeRuntimeOptions): Promise<NodeRuntime> {
  const dir = join(o.dataDir, 'containerd');
  // The CRI plugin reads its CNI conf dir at start and watches it; write it first.
  writeCniConfig(join(dir, 'cni', 'net.d'), { podCIDR: o.podCIDR, bridge: o.bridge, ipMasq: o.ipMasq, ipamDataDir: join(o.dataDir, 'cni', 'networks') });
  const containerd = await startContainerd({ dir, registries: o.registries, registryConfig: o.registryConfig, cniBinDir: o.cniBinDir });
  const runtime = new CriRuntime({ socket: containerd.socket });
  try {
    await ensurePauseImage(runtime, containerd.socket);
  } catch (err) {
    runtime.close();
    await containerd.stop();
    throw err;
  }
  return {
    runtime,
    containerd,
    async stop() {
      runtime.close();
      await containerd.stop();
      removeIdleHostportChains();
    },
  };
}
