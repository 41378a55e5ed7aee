import type { Logger } from '../../controller-runtime/log.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { LABEL_MANAGED, LABEL_POD_UID } from './labels.js';

/**
 * The pod lifecycle event generator (kubelet's generic PLEG): relists the runtime every `periodMs`
 * and reports which pods' sandboxes or containers changed state since the last relist (a container
 * exited, was OOM-killed, a sandbox died), so their workers sync without waiting for a resync.
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

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.relisting;
  }

  /** One relist; returns the changed uids (also given to the callback). */
  async relist(): Promise<string[]> {
    const selector = { labelSelector: { [LABEL_MANAGED]: 'true' } };
    const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandboxes(selector), this.runtime.listContainers(selector)]);
    const sig = new Map<string, string[]>();
    const add = (uid: string | undefined, s: string) => {
      if (!uid) return;
      const list = sig.get(uid) ?? [];
      list.push(s);
      sig.set(uid, list);
    };
    for (const s of sandboxes) add(s.labels[LABEL_POD_UID], `s:${s.id}:${s.state}`);
    for (const c of containers) add(c.labels[LABEL_POD_UID], `c:${c.id}:${c.state}`);
    const now = new Map([...sig].map(([uid, l]) => [uid, l.sort().join(',')]));
    const changed: string[] = [];
    for (const [uid, s] of now) if (this.last.get(uid) !== s) changed.push(uid);
    for (const uid of this.last.keys()) if (!now.has(uid)) changed.push(uid);
    this.last = now;
    this.onRelist(changed, new Set(now.keys()));
    return changed;
  }
}
