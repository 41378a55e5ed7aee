import { createHash, randomBytes } from 'node:crypto';
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

/**
 * An in-memory ContainerRuntime for agent unit tests and simulated nodes. It keeps CRI's state
 * machine (CREATED -> RUNNING -> EXITED, sandbox READY -> NOTREADY, idempotent stop/remove, NotFound
 * errors, RemoveImage by id) and lets a test decide what containers do: run until stopped, exit
 * with a code (now or after a delay), be OOM-killed, fail to start; images can be made unpullable.
 */

/** What a started container does. Default: runs until stopped. */
export interface FakeContainerBehaviour {
  /** Exit by itself with this code. */
  exitCode?: number;
  /** Be killed by the OOM killer (exit code 137, reason OOMKilled). */
  oom?: boolean;
  /** Delay before the exit/OOM, in ms; 0 or absent means at once, during startContainer. */
  afterMs?: number;
  /** StartContainer fails with this message (the container stays CREATED, as with a bad command). */
  startError?: string;
  /** Exit code when stopped: 143 (TERM handled) by default, 137 when `ignoresTerm`. */
  ignoresTerm?: boolean;
  /** Takes this long (ms) to exit after SIGTERM; StopContainer returns once it exited (SIGKILL at the timeout). */
  termDelayMs?: number;
}

/** One container exit, as `FakeRuntime.exits` records them. */
export interface FakeExit {
  id: string;
  /** Container name (CRI metadata name). */
  name: string;
  exitCode: number;
  at: Date;
}

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

interface ContainerRec {
  status: ContainerStatus;
  config: ContainerConfig;
  behaviour: FakeContainerBehaviour;
  timer?: NodeJS.Timeout;
  /** An exit the runtime has not recorded yet (exitContainerLate). */
  lateExit?: { exitCode: number; at: Date };
}

const newId = () => randomBytes(32).toString('hex');
const imageIdFor = (ref: string) => `sha256:${createHash('sha256').update(normalizeRef(ref)).digest('hex')}`;

/** "busybox" -> "docker.io/library/busybox:latest", as containerd names it. */
export function normalizeRef(ref: string): string {
  if (ref.startsWith('sha256:')) return ref;
  let name = ref;
  const firstSlash = name.indexOf('/');
  const first = firstSlash < 0 ? '' : name.slice(0, firstSlash);
  if (firstSlash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name += ':latest';
  return name;
}

function matches(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function reasonFor(exitCode: number, oom: boolean): string {
  if (oom) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}

export class FakeRuntime implements ContainerRuntime {
  /** Every call, in order, as "Op" or "Op:<id or image>", for assertions. */
  readonly calls: string[] = [];
  /** Every container exit, in the order they happened. */
  readonly exits: FakeExit[] = [];
  private readonly images = new Map<string, Image>(); // by id
  private readonly sandboxes = new Map<string, SandboxRec>();
  private readonly containers = new Map<string, ContainerRec>();
  private readonly missing = new Map<string, string>(); // normalized ref -> pull error
  private readonly behaviours = new Map<string, FakeContainerBehaviour>(); // container name or image
  private readonly failures = new Map<string, RuntimeError>();
  private execHandler: (id: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult> = () => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
  /** The image filesystem: its size and the bytes on it that are not images (images add their sizes). */
  private imageFs = { capacityBytes: 100 * 2 ** 30, otherUsedBytes: 0 };
  private nextIp = 2;
  private readonly netPrefix: string;
  private readonly now: () => Date;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.netPrefix = opts.podNetPrefix ?? '10.88.0';
    this.now = opts.now ?? (() => new Date());
    for (const i of opts.images ?? []) this.addImage(i);
  }

  // ---- controls -------------------------------------------------------------------------------

  /** Makes an image present, as if pulled or imported (default size 1 MB, not pinned). */
  addImage(ref: string, opts: { size?: number; pinned?: boolean } = {}): Image {
    const id = imageIdFor(ref);
    const existing = this.images.get(id);
    if (existing) return existing;
    const img: Image = { id, repoTags: [normalizeRef(ref)], repoDigests: [], size: opts.size ?? 1_000_000, pinned: opts.pinned ?? false };
    this.images.set(id, img);
    return img;
  }

  /**
   * Sets the image filesystem imageFsInfo reports (default 100 GiB, nothing but images on it): its
   * used bytes are `otherUsedBytes` plus the sizes of the images present, so removing one frees its size.
   */
  setImageFs(fs: { capacityBytes: number; otherUsedBytes?: number }): void {
    this.imageFs = { capacityBytes: fs.capacityBytes, otherUsedBytes: fs.otherUsedBytes ?? 0 };
  }

  /** PullImage of `ref` fails as a registry without it would (default message: "not found"). */
  setImageMissing(ref: string, message?: string): void {
    this.missing.set(normalizeRef(ref), message ?? `failed to resolve reference "${normalizeRef(ref)}": not found`);
  }

  /** What containers named `key` (container name) or using image `key` do once started. */
  setBehaviour(key: string, b: FakeContainerBehaviour): void {
    this.behaviours.set(key, b);
  }

  /** Makes the next call of operation `op` (e.g. "RunPodSandbox") fail with `message`. */
  failNext(op: string, message: string, kind: RuntimeError['kind'] = 'Unknown'): void {
    this.failures.set(op, new RuntimeError(kind, message, op));
  }

  /** Answers execSync calls (probes); default: exit 0, no output. A promise makes a slow exec. */
  onExec(handler: (id: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult>): void {
    this.execHandler = handler;
  }

  /** Makes a running container exit now, as its process would. */
  exitContainer(id: string, exitCode: number, opts: { oom?: boolean } = {}): void {
    const c = this.mustContainer(id, 'exitContainer');
    if (c.status.state === 'CONTAINER_RUNNING') this.finish(c, exitCode, opts.oom ?? false);
  }

  /**
   * Makes a running container's process exit at `at`, an exit the runtime records only once it has
   * answered one more ContainerStatus of it with the container still running: containerd's CRI plugin
   * on a busy host records a task's exit (finishedAt being the exit's own time) well after the shim
   * reported it, so an agent can read the container running and, a moment later, exited as of earlier.
   */
  exitContainerLate(id: string, exitCode: number, at: Date): void {
    const c = this.mustContainer(id, 'exitContainerLate');
    if (c.status.state === 'CONTAINER_RUNNING') c.lateExit = { exitCode, at };
  }

  /** Clears pending timers (call in test teardown when behaviours use afterMs). */
  close(): void {
    for (const c of this.containers.values()) clearTimeout(c.timer);
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
    for (const c of this.containers.values()) {
      if (c.status.podSandboxId === id && c.status.state === 'CONTAINER_RUNNING') this.finish(c, 137, false);
    }
    s.status.state = 'SANDBOX_NOTREADY';
    s.status.ip = '';
  }

  async removePodSandbox(id: string): Promise<void> {
    this.record('RemovePodSandbox', id);
    if (!this.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    for (const [cid, c] of this.containers) if (c.status.podSandboxId === id) this.drop(cid);
    this.sandboxes.delete(id);
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    this.record('ListPodSandbox');
    return [...this.sandboxes.values()]
      .map((s) => s.status)
      .filter((s) => (!filter?.id || s.id === filter.id) && (!filter?.state || s.state === filter.state) && matches(s.labels, filter?.labelSelector))
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
    const err = this.missing.get(normalizeRef(image));
    if (err) throw new RuntimeError('ImagePull', `failed to pull and unpack image "${normalizeRef(image)}": ${err}`, 'PullImage');
    return this.addImage(image).id;
  }

  async imageStatus(image: string): Promise<Image | null> {
    this.record('ImageStatus', image);
    const img = this.findImage(image);
    return img ? structuredClone(img) : null;
  }

  async removeImage(image: string): Promise<void> {
    this.record('RemoveImage', image);
    const img = this.findImage(image);
    if (img) this.images.delete(img.id);
  }

  async listImages(): Promise<Image[]> {
    this.record('ListImages');
    return [...this.images.values()].map((i) => structuredClone(i));
  }

  async imageFsInfo(): Promise<ImageFsInfo> {
    this.record('ImageFsInfo');
    const usedBytes = [...this.images.values()].reduce((n, i) => n + i.size, 0);
    const { capacityBytes, otherUsedBytes } = this.imageFs;
    return { mountpoint: '/fake/images', usedBytes, capacityBytes, availableBytes: Math.max(0, capacityBytes - otherUsedBytes - usedBytes) };
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    this.record('CreateContainer', config.metadata.name);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) throw new RuntimeError('NotFound', `failed to get sandbox "${podSandboxId}": not found`, 'CreateContainer');
    if (s.status.state !== 'SANDBOX_READY') throw new RuntimeError('Unknown', `sandbox ${podSandboxId} is not ready`, 'CreateContainer');
    const img = this.findImage(config.image);
    if (!img) throw new RuntimeError('NotFound', `failed to get image "${config.image}": not found`, 'CreateContainer');
    const dup = [...this.containers.values()].find(
      (c) => c.status.podSandboxId === podSandboxId && c.status.metadata.name === config.metadata.name && c.status.metadata.attempt === config.metadata.attempt,
    );
    if (dup) throw new RuntimeError('Unknown', `failed to reserve container name: already reserved for ${dup.status.id}`, 'CreateContainer');
    const id = newId();
    this.containers.set(id, {
      config,
      behaviour: this.behaviours.get(config.metadata.name) ?? this.behaviours.get(config.image) ?? {},
      status: {
        id,
        podSandboxId,
        metadata: { ...config.metadata },
        image: config.image,
        imageRef: img.id,
        state: 'CONTAINER_CREATED',
        createdAt: this.now(),
        exitCode: 0,
        reason: '',
        message: '',
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        mounts: (config.mounts ?? []).map((m) => ({ ...m })),
        logPath: config.logPath && s.config.logDirectory ? `${s.config.logDirectory}/${config.logPath}` : '',
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('StartContainer', id);
    const c = this.mustContainer(id, 'StartContainer');
    if (c.status.state !== 'CONTAINER_CREATED') throw new RuntimeError('Unknown', `container ${id} is in ${c.status.state} state`, 'StartContainer');
    const b = c.behaviour;
    if (b.startError) {
      c.status.state = 'CONTAINER_EXITED';
      c.status.exitCode = 128;
      c.status.reason = 'StartError';
      c.status.message = b.startError;
      c.status.finishedAt = this.now();
      throw new RuntimeError('Unknown', `failed to create containerd task: ${b.startError}`, 'StartContainer');
    }
    c.status.state = 'CONTAINER_RUNNING';
    c.status.startedAt = this.now();
    if (b.exitCode === undefined && !b.oom) return;
    const code = b.oom ? 137 : b.exitCode!;
    if (!b.afterMs) this.finish(c, code, b.oom ?? false);
    else {
      c.timer = setTimeout(() => c.status.state === 'CONTAINER_RUNNING' && this.finish(c, code, b.oom ?? false), b.afterMs);
      c.timer.unref();
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.record('StopContainer', id);
    const c = this.containers.get(id);
    if (c?.status.state !== 'CONTAINER_RUNNING') return;
    const delay = c.behaviour.termDelayMs ?? 0;
    if (delay > 0) {
      const killAt = Math.max(0, timeoutSeconds) * 1000;
      await new Promise((r) => setTimeout(r, Math.min(delay, killAt)));
      if (c.status.state !== 'CONTAINER_RUNNING') return;
      this.finish(c, c.behaviour.ignoresTerm || delay > killAt ? 137 : 143, false);
      return;
    }
    this.finish(c, c.behaviour.ignoresTerm ? 137 : 143, false);
  }

  async removeContainer(id: string): Promise<void> {
    this.record('RemoveContainer', id);
    if (this.containers.has(id)) this.drop(id);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    this.record('ListContainers');
    return [...this.containers.values()]
      .map((c) => c.status)
      .filter(
        (c) =>
          (!filter?.id || c.id === filter.id) &&
          (!filter?.podSandboxId || c.podSandboxId === filter.podSandboxId) &&
          (!filter?.state || c.state === filter.state) &&
          matches(c.labels, filter?.labelSelector),
      )
      .map(({ startedAt: _s, finishedAt: _f, exitCode: _e, reason: _r, message: _m, mounts: _mo, logPath: _l, ...rest }) => structuredClone(rest));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    this.record('ContainerStatus', id);
    const c = this.mustContainer(id, 'ContainerStatus');
    const status = structuredClone(c.status);
    if (c.lateExit && c.status.state === 'CONTAINER_RUNNING') this.finish(c, c.lateExit.exitCode, false, c.lateExit.at);
    c.lateExit = undefined;
    return status;
  }

  async execSync(id: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResult> {
    this.record('ExecSync', id);
    const c = this.mustContainer(id, 'ExecSync');
    if (c.status.state !== 'CONTAINER_RUNNING') throw new RuntimeError('Unknown', `container ${id} is not running`, 'ExecSync');
    return await this.execHandler(id, cmd);
  }

  // ---- internals ------------------------------------------------------------------------------

  private record(op: string, arg?: string): void {
    this.calls.push(arg ? `${op}:${arg}` : op);
    const err = this.failures.get(op);
    if (err) {
      this.failures.delete(op);
      throw err;
    }
  }

  private findImage(ref: string): Image | undefined {
    if (this.images.has(ref)) return this.images.get(ref);
    const n = normalizeRef(ref);
    return [...this.images.values()].find((i) => i.repoTags.includes(n));
  }

  private mustContainer(id: string, op: string): ContainerRec {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `an error occurred when try to find container "${id}": not found`, op);
    return c;
  }

  private finish(c: ContainerRec, exitCode: number, oom: boolean, at = this.now()): void {
    clearTimeout(c.timer);
    c.status.state = 'CONTAINER_EXITED';
    c.status.exitCode = exitCode;
    c.status.reason = reasonFor(exitCode, oom);
    c.status.finishedAt = at;
    this.exits.push({ id: c.status.id, name: c.status.metadata.name, exitCode, at: c.status.finishedAt });
  }

  private drop(id: string): void {
    clearTimeout(this.containers.get(id)?.timer);
    this.containers.delete(id);
  }
}
