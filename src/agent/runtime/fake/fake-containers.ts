import { randomBytes } from 'node:crypto';
import { RuntimeError, type Container, type ContainerConfig, type ContainerFilter, type ContainerStatus, type ExecSyncResult } from '../types.js';

/**
 * The fake runtime's containers: CRI's container state machine (CREATED -> RUNNING -> EXITED,
 * idempotent stop/remove, NotFound errors) and what a test decides their processes do once started.
 * It does not record calls or inject failures, nor check sandboxes or images: FakeRuntime does that
 * before delegating here.
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

interface ContainerRec {
  status: ContainerStatus;
  config: ContainerConfig;
  behaviour: FakeContainerBehaviour;
  timer?: NodeJS.Timeout;
  /** An exit the runtime has not recorded yet (exitContainerLate). */
  lateExit?: { exitCode: number; at: Date };
}

export const newId = () => randomBytes(32).toString('hex');

/** CRI's labelSelector (for containers and sandboxes alike): every pair must be among the labels. */
export function matchesLabels(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function reasonFor(exitCode: number, oom: boolean): string {
  if (oom) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}

export class FakeContainers {
  /** Every container exit, in the order they happened. */
  readonly exits: FakeExit[] = [];
  private readonly containers = new Map<string, ContainerRec>();
  private readonly behaviours = new Map<string, FakeContainerBehaviour>(); // container name or image
  private execHandler: (id: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult> = () => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });

  constructor(private readonly now: () => Date) {}

  /** See FakeRuntime.setBehaviour. */
  setBehaviour(key: string, b: FakeContainerBehaviour): void {
    this.behaviours.set(key, b);
  }

  /** See FakeRuntime.onExec. */
  onExec(handler: (id: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult>): void {
    this.execHandler = handler;
  }

  /** See FakeRuntime.exitContainer. */
  exitContainer(id: string, exitCode: number, opts: { oom?: boolean } = {}): void {
    const c = this.mustContainer(id, 'exitContainer');
    if (c.status.state === 'CONTAINER_RUNNING') this.finish(c, exitCode, opts.oom ?? false);
  }

  /** See FakeRuntime.exitContainerLate. */
  exitContainerLate(id: string, exitCode: number, at: Date): void {
    const c = this.mustContainer(id, 'exitContainerLate');
    if (c.status.state === 'CONTAINER_RUNNING') c.lateExit = { exitCode, at };
  }

  /** Clears pending timers. */
  close(): void {
    for (const c of this.containers.values()) clearTimeout(c.timer);
  }

  /** Kills the sandbox's running containers (exit 137), as stopping the sandbox does. */
  killInSandbox(podSandboxId: string): void {
    for (const c of this.containers.values()) {
      if (c.status.podSandboxId === podSandboxId && c.status.state === 'CONTAINER_RUNNING') this.finish(c, 137, false);
    }
  }

  /** Forgets the sandbox's containers, as removing the sandbox does. */
  removeInSandbox(podSandboxId: string): void {
    for (const [cid, c] of this.containers) if (c.status.podSandboxId === podSandboxId) this.drop(cid);
  }

  /** Creates a container; the caller checked that the sandbox is READY and the image (`imageRef`) present. */
  create(podSandboxId: string, config: ContainerConfig, imageRef: string, logDirectory: string | undefined): string {
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
        imageRef,
        state: 'CONTAINER_CREATED',
        createdAt: this.now(),
        exitCode: 0,
        reason: '',
        message: '',
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        mounts: (config.mounts ?? []).map((m) => ({ ...m })),
        logPath: config.logPath && logDirectory ? `${logDirectory}/${config.logPath}` : '',
      },
    });
    return id;
  }

  start(id: string): void {
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

  async stop(id: string, timeoutSeconds: number): Promise<void> {
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

  remove(id: string): void {
    if (this.containers.has(id)) this.drop(id);
  }

  list(filter?: ContainerFilter): Container[] {
    return [...this.containers.values()]
      .map((c) => c.status)
      .filter(
        (c) =>
          (!filter?.id || c.id === filter.id) &&
          (!filter?.podSandboxId || c.podSandboxId === filter.podSandboxId) &&
          (!filter?.state || c.state === filter.state) &&
          matchesLabels(c.labels, filter?.labelSelector),
      )
      .map(({ startedAt: _s, finishedAt: _f, exitCode: _e, reason: _r, message: _m, mounts: _mo, logPath: _l, ...rest }) => structuredClone(rest));
  }

  status(id: string): ContainerStatus {
    const c = this.mustContainer(id, 'ContainerStatus');
    const status = structuredClone(c.status);
    if (c.lateExit && c.status.state === 'CONTAINER_RUNNING') this.finish(c, c.lateExit.exitCode, false, c.lateExit.at);
    c.lateExit = undefined;
    return status;
  }

  async exec(id: string, cmd: string[]): Promise<ExecSyncResult> {
    const c = this.mustContainer(id, 'ExecSync');
    if (c.status.state !== 'CONTAINER_RUNNING') throw new RuntimeError('Unknown', `container ${id} is not running`, 'ExecSync');
    return await this.execHandler(id, cmd);
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
