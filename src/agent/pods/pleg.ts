import type { Logger } from '../../controller-runtime/log.js';
import type { Container, ContainerRuntime, PodSandbox } from '../runtime/types.js';
import { LABEL_MANAGED, LABEL_POD_UID } from './labels.js';

/** What the relist compares for one pod: its sandboxes' and containers' ids and states. */
export function podSignature(sandboxes: Array<{ id: string; state: string }>, containers: Array<{ id: string; state: string }>): string {
  return [...sandboxes.map((s) => `s:${s.id}:${s.state}`), ...containers.map((c) => `c:${c.id}:${c.state}`)].sort().join(',');
}

/**
 * The pod lifecycle event generator (kubelet's generic PLEG): relists the runtime every `periodMs`
 * and reports which pods' sandboxes or containers changed state since the last relist (a container
 * exited, was OOM-killed, a sandbox died), so their workers sync without waiting for a resync.
 * A worker reports what it saw at the end of its sync (`observed`), so the changes it made itself
 * (the sandbox and containers it just started) do not come back as events and cost another sync.
 */
export class Pleg {
  private last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private relisting: Promise<void> = Promise.resolve();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly periodMs: number,
    /** Called with the uids that changed and every uid the runtime holds. */
    private readonly onRelist: (changed: string[], all: Set<string>) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.relisting = this.relist().then(() => undefined)
        .catch((err) => this.log.warn({ err: String(err) }, 'relist failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.periodMs);
        });
    };
    tick();
  }

  /** The pod's signature as of the last relist or observation (undefined: nothing in the runtime). */
  signature(uid: string): string | undefined {
    return this.last.get(uid);
  }

  /** A worker read the pod's runtime state (podSignature of it) after its own changes. */
  observed(uid: string, signature: string): void {
    if (signature) this.last.set(uid, signature);
    else this.last.delete(uid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.relisting;
  }

  /** One relist; returns the changed uids (also given to the callback). */
  async relist(): Promise<string[]> {
    const selector = { labelSelector: { [LABEL_MANAGED]: 'true' } };
    const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandboxes(selector), this.runtime.listContainers(selector)]);
    const byPod = new Map<string, { sandboxes: PodSandbox[]; containers: Container[] }>();
    const of = (uid: string) => {
      let e = byPod.get(uid);
      if (!e) byPod.set(uid, (e = { sandboxes: [], containers: [] }));
      return e;
    };
    for (const s of sandboxes) if (s.labels[LABEL_POD_UID]) of(s.labels[LABEL_POD_UID]).sandboxes.push(s);
    for (const c of containers) if (c.labels[LABEL_POD_UID]) of(c.labels[LABEL_POD_UID]).containers.push(c);
    const now = new Map([...byPod].map(([uid, e]) => [uid, podSignature(e.sandboxes, e.containers)]));
    const changed: string[] = [];
    for (const [uid, s] of now) if (this.last.get(uid) !== s) changed.push(uid);
    for (const uid of this.last.keys()) if (!now.has(uid)) changed.push(uid);
    this.last = now;
    this.onRelist(changed, new Set(now.keys()));
    return changed;
  }
}
