/**
 * The health checks of the scheduler and controller manager that v1 ComponentStatus reads
 * (apiserver/component-status): both run in the server's process, so "healthy" means started with
 * the manager's informers synced (what their /healthz would answer). One turned off with
 * --disable-scheduler / --disable-controller-manager is Unhealthy with an error, as upstream shows
 * a component it cannot reach.
 */
import type { ApiServer } from '../apiserver/server.js';
import { CONTROLLER_MANAGER, SCHEDULER } from '../apiserver/component-status/health.js';

export function registerComponentHealth(api: ApiServer, o: { disableScheduler?: boolean; disableControllerManager?: boolean }, synced: () => boolean): void {
  const check = (name: string, flag: string, disabled: boolean | undefined) => () => {
    if (disabled) return { healthy: false, error: `${name} is not running in this server (${flag})` };
    return synced() ? { healthy: true, message: 'ok' } : { healthy: false, error: `${name} has not started: informer caches not synced` };
  };
  api.components.register(SCHEDULER, check(SCHEDULER, '--disable-scheduler', o.disableScheduler));
  api.components.register(CONTROLLER_MANAGER, check(CONTROLLER_MANAGER, '--disable-controller-manager', o.disableControllerManager));
}
