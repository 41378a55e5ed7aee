import {
  RuntimeError,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecSyncResult,
  type Image,
  type ImageFsInfo,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type VersionInfo,
} from '../types.js';
import { FakeContainers, matchesLabels, newId, type FakeContainerBehaviour, type FakeExit } from './fake-containers.js';
import { FakeImages } from './fake-images.js';

export type { FakeContainerBehaviour, FakeExit } from './fake-containers.js';
export { normalizeRef } from './fake-images.js';

/**
 * An in-memory ContainerRuntime for agent unit tests and simulated nodes. It keeps CRI's state
 * machine (CREATED -> RUNNING -> EXITED, sandbox READY -> NOTREADY, idempotent stop/remove, NotFound
 * errors, RemoveImage by id) and lets a test decide what containers do: run until stopped, exit
 * with a code (now or after a delay), be OOM-killed, fail to start; images can be made unpullable.
 * This file holds the sandboxes, the call record and failure injection; containers live in
 * fake-containers.ts, images in fake-images.ts.
 */

export interface FakeRuntimeOptions {
  /** Images present from the start. */
  images?: string[];
  /** First three octets of pod IPs; default "10.88.0". */
  podNetPrefix?: string;
  /** Clock, for deterministic timestamps. */
  now?: () => Date;
}

interface SandboxRec {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
}

export class FakeRuntime implements ContainerRuntime {
  /** Every call, in order, as "Op" or "Op:<id or image>", for assertions. */
  readonly calls: string[] = [];
  private readonly sandboxes = new Map<string, SandboxRec>();
  private readonly images = new FakeImages();
  private readonly containers: FakeContainers;
  private readonly failures = new Map<string, RuntimeError>();
  private nextIp = 2;
  private readonly netPrefix: string;
  private readonly now: () => Date;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.netPrefix = opts.podNetPrefix ?? '10.88.0';
    this.now = opts.now ?? (() => new Date());
    this.containers = new FakeContainers(this.now);
    for (const i of opts.images ?? []) this.addImage(i);
  }

  /** Every container exit, in the order they happened. */
  get exits(): FakeExit[] {
    return this.containers.exits;
  }

  // ---- controls -------------------------------------------------------------------------------

  /** Makes an image present, as if pulled or imported (default size 1 MB, not pinned, no repo digest). */
  addImage(ref: string, opts: { size?: number; pinned?: boolean; repoDigests?: string[] } = {}): Image {
    return this.images.add(ref, opts);
  }

  /**
   * Sets the image filesystem imageFsInfo reports (default 100 GiB, nothing but images on it): its
   * used bytes are `otherUsedBytes` plus the sizes of the images present, so removing one frees its size.
   */
  setImageFs(fs: { capacityBytes: number; otherUsedBytes?: number }): void {
    this.images.setFs(fs);
  }

  /** PullImage of `ref` fails as a registry without it would (default message: "not found"). */
  setImageMissing(ref: string, message?: string): void {
    this.images.setMissing(ref, message);
  }

  /** What containers named `key` (container name) or using image `key` do once started. */
  setBehaviour(key: string, b: FakeContainerBehaviour): void {
    this.containers.setBehaviour(key, b);
  }

  /** Makes the next call of operation `op` (e.g. "RunPodSandbox") fail with `message`. */
  failNext(op: string, message: string, kind: RuntimeError['kind'] = 'Unknown'): void {
    this.failures.set(op, new RuntimeError(kind, message, op));
  }

  /** Answers execSync calls (probes); default: exit 0, no output. A promise makes a slow exec. */
  onExec(handler: (id: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult>): void {
    this.containers.onExec(handler);
  }

  /** Makes a running container exit now, as its process would. */
  exitContainer(id: string, exitCode: number, opts: { oom?: boolean } = {}): void {
    this.containers.exitContainer(id, exitCode, opts);
  }

  /**
   * Makes a running container's process exit at `at`, an exit the runtime records only once it has
   * answered one more ContainerStatus of it with the container still running: containerd's CRI plugin
   * on a busy host records a task's exit (finishedAt being the exit's own time) well after the shim
   * reported it, so an agent can read the container running and, a moment later, exited as of earlier.
   */
  exitContainerLate(id: string, exitCode: number, at: Date): void {
    this.containers.exitContainerLate(id, exitCode, at);
  }

  /** Clears pending timers (call in test teardown when behaviours use afterMs). */
  close(): void {
    this.containers.close();
  }

  // ---- ContainerRuntime -----------------------------------------------------------------------

  async version(): Promise<VersionInfo> {
    this.record('Version');
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.0.1', runtimeApiVersion: 'v1' };
  }

  /** The runtime handler each sandbox was asked for, by sandbox name. */
  readonly runtimeHandlers = new Map<string, string>();

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    this.record('RunPodSandbox', config.metadata.name);
    this.runtimeHandlers.set(config.metadata.name, runtimeHandler);
    const dup = [...this.sandboxes.values()].find(
      (s) => s.status.metadata.uid === config.metadata.uid && s.status.metadata.attempt === config.metadata.attempt && s.status.metadata.name === config.metadata.name,
    );
    if (dup) throw new RuntimeError('Unknown', `failed to reserve sandbox name: already reserved for ${dup.status.id}`, 'RunPodSandbox');
    const id = newId();
    this.sandboxes.set(id, {
      config,
      status: {
        id,
        metadata: { ...config.metadata },
        state: 'SANDBOX_READY',
        createdAt: this.now(),
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        ip: config.hostNetwork ? '' : `${this.netPrefix}.${this.nextIp++}`,
        additionalIps: [],
      },
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.record('StopPodSandbox', id);
    const s = this.sandboxes.get(id);
    if (!s) return;
    this.containers.killInSandbox(id);
    s.status.state = 'SANDBOX_NOTREADY';
    s.status.ip = '';
  }

  async removePodSandbox(id: string): Promise<void> {
    this.record('RemovePodSandbox', id);
    if (!this.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    this.containers.removeInSandbox(id);
    this.sandboxes.delete(id);
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    this.record('ListPodSandbox');
    return [...this.sandboxes.values()]
      .map((s) => s.status)
      .filter((s) => (!filter?.id || s.id === filter.id) && (!filter?.state || s.state === filter.state) && matchesLabels(s.labels, filter?.labelSelector))
      .map(({ ip: _ip, additionalIps: _a, netnsPath: _n, ...rest }) => structuredClone(rest));
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    this.record('PodSandboxStatus', id);
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError('NotFound', `an error occurred when try to find sandbox "${id}": not found`, 'PodSandboxStatus');
    return structuredClone(s.status);
  }

  async pullImage(image: string, _auth?: AuthConfig): Promise<string> {
    this.record('PullImage', image);
    return this.images.pull(image);
  }

  async imageStatus(image: string): Promise<Image | null> {
    this.record('ImageStatus', image);
    return this.images.status(image);
  }

  async removeImage(image: string): Promise<void> {
    this.record('RemoveImage', image);
    this.images.remove(image);
  }

  async listImages(): Promise<Image[]> {
    this.record('ListImages');
    return this.images.list();
  }

  async imageFsInfo(): Promise<ImageFsInfo> {
    this.record('ImageFsInfo');
    return this.images.fsInfo();
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    this.record('CreateContainer', config.metadata.name);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) throw new RuntimeError('NotFound', `failed to get sandbox "${podSandboxId}": not found`, 'CreateContainer');
    if (s.status.state !== 'SANDBOX_READY') throw new RuntimeError('Unknown', `sandbox ${podSandboxId} is not ready`, 'CreateContainer');
    const img = this.images.find(config.image);
    if (!img) throw new RuntimeError('NotFound', `failed to get image "${config.image}": not found`, 'CreateContainer');
    return this.containers.create(podSandboxId, config, img.id, s.config.logDirectory);
  }

  async startContainer(id: string): Promise<void> {
    this.record('StartContainer', id);
    this.containers.start(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.record('StopContainer', id);
    await this.containers.stop(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    this.record('RemoveContainer', id);
    this.containers.remove(id);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    this.record('ListContainers');
    return this.containers.list(filter);
  }

  /**
   * As containerd's toCRIContainerStatus: the image is the image's first repo tag and the image ref
   * its first repo digest when it has them (else what the container was created with and the id).
   */
  async containerStatus(id: string): Promise<ContainerStatus> {
    this.record('ContainerStatus', id);
    const st = this.containers.status(id);
    const img = this.images.find(st.imageRef);
    if (img?.repoTags[0]) st.image = img.repoTags[0];
    if (img?.repoDigests[0]) st.imageRef = img.repoDigests[0];
    return st;
  }

  async execSync(id: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResult> {
    this.record('ExecSync', id);
    return await this.containers.exec(id, cmd);
  }

  /** Records the call and throws the failure failNext set for `op`, once. */
  private record(op: string, arg?: string): void {
    this.calls.push(arg ? `${op}:${arg}` : op);
    const err = this.failures.get(op);
    if (err) {
      this.failures.delete(op);
      throw err;
    }
  }
}
