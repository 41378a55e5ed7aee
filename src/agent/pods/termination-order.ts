import type { Pod } from '../../api/kinds/index.js';
import { isSidecar } from '../../api/pod-sidecar.js';

/**
 * Termination ordering of sidecars (kubelet kuberuntime_termination_order.go): when a pod's
 * containers are killed together, every sidecar waits until all regular containers and every
 * sidecar declared after it have stopped, so sidecars stop after the app, in reverse order of
 * declaration. Waiting never outlasts the grace period it is given. Containers that are not running
 * are never waited on.
 */
export class TerminationOrder {
  private readonly terminated = new Map<string, { done: Promise<void>; resolve(): void }>();
  private readonly prereqs = new Map<string, Promise<void>[]>();

  constructor(pod: Pod, runningNames: ReadonlySet<string>) {
    const gate = (name: string) => {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const g = { done, resolve };
      this.terminated.set(name, g);
      if (!runningNames.has(name)) resolve();
      return g;
    };
    const mains = (pod.spec?.containers ?? []).map((c) => gate(c.name).done);
    let later: Promise<void> | undefined;
    for (const ic of [...(pod.spec?.initContainers ?? [])].reverse()) {
      const g = gate(ic.name);
      if (!isSidecar(ic)) continue;
      this.prereqs.set(ic.name, later ? [...mains, later] : mains);
      later = g.done;
    }
  }

  /** Resolves when `name` may be stopped, or after `graceSeconds`; returns the seconds waited. */
  async waitForTurn(name: string, graceSeconds: number): Promise<number> {
    const deps = this.prereqs.get(name);
    if (!deps?.length || graceSeconds <= 0) return 0;
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<void>((r) => (timer = setTimeout(r, graceSeconds * 1000)));
    await Promise.race([Promise.all(deps), expiry]);
    clearTimeout(timer);
    return (Date.now() - t0) / 1000;
  }

  /** Records that `name` stopped (releases the sidecars waiting on it). */
  containerTerminated(name: string): void {
    this.terminated.get(name)?.resolve();
  }
}
