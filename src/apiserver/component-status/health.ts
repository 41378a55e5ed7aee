/**
 * The components whose health v1 ComponentStatus reports, as upstream's GetServersToValidate: the
 * scheduler, the controller manager, and the store. Bosun runs the scheduler and controller manager
 * in the server's own process (src/cluster/control-plane.ts), so their checks are functions read
 * in-process instead of upstream's HTTP /healthz probes; until the control plane registers one, a
 * component reads as unreachable (Unhealthy, with an error), as upstream shows a component it cannot reach.
 */
import type { Store } from '../../store/index.js';

/** A health check's answer: upstream's probe result, message ("ok") and error. */
export interface ComponentHealthResult {
  healthy: boolean;
  message?: string;
  error?: string;
}

export type ComponentHealthCheck = () => Promise<ComponentHealthResult> | ComponentHealthResult;

/** The names upstream serves: scheduler, controller-manager, etcd-N (one per etcd endpoint). */
export const SCHEDULER = 'scheduler';
export const CONTROLLER_MANAGER = 'controller-manager';

export class ComponentHealth {
  private readonly checks = new Map<string, ComponentHealthCheck>();

  constructor(store: Store, storeNames: readonly string[] = ['etcd-0']) {
    const notRegistered = (name: string): ComponentHealthCheck => () => ({ healthy: false, error: `${name} is not running in this server` });
    this.checks.set(SCHEDULER, notRegistered(SCHEDULER));
    this.checks.set(CONTROLLER_MANAGER, notRegistered(CONTROLLER_MANAGER));
    for (const name of storeNames) this.checks.set(name, () => storeHealth(store));
  }

  /** Sets (or replaces) the check of a component. */
  register(name: string, check: ComponentHealthCheck): void {
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs one component's check; undefined for a name that is not a component. A throwing check is Unhealthy. */
  async check(name: string): Promise<ComponentHealthResult | undefined> {
    const check = this.checks.get(name);
    if (!check) return undefined;
    try {
      return await check();
    } catch (err) {
      return { healthy: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/**
 * The store's health as upstream's etcd check (a read answered): "ok", or the read's error. Bosun
 * names a SQLite or memory store `etcd-0` too, so clients that look for `etcd-` rows keep working.
 */
async function storeHealth(store: Store): Promise<ComponentHealthResult> {
  await store.get('/health');
  return { healthy: true, message: 'ok' };
}
