import { statfsSync } from 'node:fs';
import {
  RuntimeError,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerStatus,
  type AttachRequest,
  type ExecRequest,
  type ExecSyncResult,
  type Image,
  type ImageFsInfo,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type VersionInfo,
} from '../types.js';
import { CriClient, type CriClientOptions } from './client.js';
import { runtimeErrorDesc } from '../rpc-error.js';
import {
  authToWire,
  containerConfigToWire,
  containerFilterToWire,
  containerFromWire,
  containerStatusFromWire,
  imageFromWire,
  imageFsInfoFromWire,
  sandboxConfigToWire,
  sandboxFilterToWire,
  sandboxFromWire,
  sandboxStatusFromWire,
} from './convert.js';
import type {
  WireContainer,
  WireContainerStatus,
  WireExecSync,
  WireImage,
  WireImageFsInfoResponse,
  WirePodSandbox,
  WirePodSandboxStatusResponse,
  WireVersion,
} from './wire.js';

/** The containerd namespace its CRI plugin keeps pods in (fixed by containerd). */
const CRI_NAMESPACE = 'k8s.io';

export interface CriRuntimeOptions extends CriClientOptions {
  /** Deadline for PullImage in ms (default 10 minutes). */
  pullTimeoutMs?: number;
}

/** ContainerRuntime over a CRI runtime.v1 endpoint (containerd's CRI plugin). */
export class CriRuntime implements ContainerRuntime {
  private readonly client: CriClient;
  private readonly pullTimeoutMs: number;

  constructor(opts: CriRuntimeOptions) {
    this.client = new CriClient(opts);
    this.pullTimeoutMs = opts.pullTimeoutMs ?? 10 * 60_000;
  }

  async version(): Promise<VersionInfo> {
    const v = await this.client.runtimeCall<WireVersion>('Version', { version: 'v1' });
    return { version: v.version, runtimeName: v.runtimeName, runtimeVersion: v.runtimeVersion, runtimeApiVersion: v.runtimeApiVersion };
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const r = await this.client.runtimeCall<{ podSandboxId: string }>('RunPodSandbox', { config: sandboxConfigToWire(config), runtimeHandler });
    return r.podSandboxId;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.runtimeCall('StopPodSandbox', { podSandboxId: id }));
  }

  async removePodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.runtimeCall('RemovePodSandbox', { podSandboxId: id }));
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const r = await this.client.runtimeCall<{ items: WirePodSandbox[] }>('ListPodSandbox', { filter: sandboxFilterToWire(filter) });
    return r.items.map(sandboxFromWire);
  }

  /** `verbose` also fills netnsPath (containerd marshals the sandbox's whole spec for it). */
  async podSandboxStatus(id: string, opts: { verbose?: boolean } = {}): Promise<PodSandboxStatus> {
    const r = await this.client.runtimeCall<WirePodSandboxStatusResponse>('PodSandboxStatus', { podSandboxId: id, verbose: opts.verbose ?? false });
    return sandboxStatusFromWire(r);
  }

  async pullImage(image: string, auth?: AuthConfig): Promise<string> {
    try {
      const r = await this.client.imageCall<{ imageRef: string }>('PullImage', { image: { image }, auth: authToWire(auth) }, this.pullTimeoutMs);
      return r.imageRef;
    } catch (err) {
      if (err instanceof RuntimeError && err.kind !== 'Unavailable') throw new RuntimeError('ImagePull', runtimeErrorDesc(err), 'PullImage', err.code);
      throw err;
    }
  }

  async reopenContainerLog(id: string): Promise<void> {
    await this.client.runtimeCall('ReopenContainerLog', { containerId: id });
  }

  async imageStatus(image: string): Promise<Image | null> {
    const r = await this.client.imageCall<{ image: WireImage | null }>('ImageStatus', { image: { image } });
    return r.image ? imageFromWire(r.image) : null;
  }

  async removeImage(image: string): Promise<void> {
    await ignoreNotFound(this.client.imageCall('RemoveImage', { image: { image } }));
  }

  async listImages(): Promise<Image[]> {
    const r = await this.client.imageCall<{ images: WireImage[] }>('ListImages', { filter: null });
    return r.images.map(imageFromWire);
  }

  /** The runtime's socket is local, so its image filesystem's mountpoint is on this host: statfs it here. */
  async imageFsInfo(): Promise<ImageFsInfo> {
    const r = await this.client.imageCall<WireImageFsInfoResponse>('ImageFsInfo', {});
    return imageFsInfoFromWire(r, (mountpoint) => statfsSync(mountpoint));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.client.runtimeCall<{ containerId: string }>('CreateContainer', {
      podSandboxId,
      config: containerConfigToWire(config, sandboxConfig),
      sandboxConfig: sandboxConfigToWire(sandboxConfig),
    });
    return r.containerId;
  }

  async startContainer(id: string): Promise<void> {
    await this.client.runtimeCall('StartContainer', { containerId: id });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    // The runtime kills after the grace period; our deadline only guards against a hung runtime.
    await ignoreNotFound(this.client.runtimeCall('StopContainer', { containerId: id, timeout: String(timeoutSeconds) }, (timeoutSeconds + 60) * 1000));
  }

  async removeContainer(id: string): Promise<void> {
    await ignoreNotFound(this.client.runtimeCall('RemoveContainer', { containerId: id }));
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const r = await this.client.runtimeCall<{ containers: WireContainer[] }>('ListContainers', { filter: containerFilterToWire(filter) });
    return r.containers.map(containerFromWire);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    // CRI's ContainerStatus lacks the sandbox id; the list entry has it.
    const [r, list] = await Promise.all([
      this.client.runtimeCall<{ status: WireContainerStatus | null }>('ContainerStatus', { containerId: id, verbose: false }),
      this.client.runtimeCall<{ containers: WireContainer[] }>('ListContainers', { filter: { id } }),
    ]);
    if (!r.status) throw new RuntimeError('NotFound', `container ${id} not found`, 'ContainerStatus');
    return containerStatusFromWire(r.status, list.containers[0]?.podSandboxId ?? '');
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const deadline = timeoutSeconds > 0 ? (timeoutSeconds + 30) * 1000 : 0;
    try {
      const r = await this.client.runtimeCall<WireExecSync>('ExecSync', { containerId: id, cmd, timeout: String(timeoutSeconds) }, deadline);
      return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exitCode };
    } catch (err) {
      // containerd reports an exec that outlived its timeout as "timeout Ns exceeded" with code Unknown.
      if (err instanceof RuntimeError && /timeout .* exceeded|deadline exceeded/i.test(err.message)) {
        throw new RuntimeError('Timeout', runtimeErrorDesc(err), 'ExecSync', err.code);
      }
      throw err;
    }
  }

  async exec(req: ExecRequest): Promise<string> {
    const r = await this.client.runtimeCall<{ url: string }>('Exec', req);
    return r.url;
  }

  async attach(req: AttachRequest): Promise<string> {
    const r = await this.client.runtimeCall<{ url: string }>('Attach', req);
    return r.url;
  }

  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    const r = await this.client.runtimeCall<{ url: string }>('PortForward', { podSandboxId, port: ports });
    return r.url;
  }

  /**
   * containerd's task and container events in the CRI namespace: the same state changes that CRI's
   * GetContainerEvents (containerd 1.7+, the kubelet's evented PLEG) reports, available on 1.6 too.
   * A socket that is not containerd's ends the stream at once (UNIMPLEMENTED), and the PLEG polls.
   * A task's exit names the container or sandbox (containerd publishes it before CRI records it).
   */
  watchChanges(h: { change(exited?: string): void; ended(err: Error): void }): { stop(): void } {
    const s = this.client.subscribeEvents(CRI_NAMESPACE, '^/(tasks|containers)/', (e) => h.change(e.exited), (err) => h.ended(err));
    return { stop: () => s.cancel() };
  }

  close(): void {
    this.client.close();
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RuntimeError && err.kind === 'NotFound') return;
    throw err;
  }
}
