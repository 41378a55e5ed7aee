/**
 * The APIServices as the aggregator sees them, and their Available condition, as kube-aggregator's
 * APIServiceRegistrationController (what the proxy serves) and AvailableConditionController
 * (status/available_controller.go): a list-and-watch of the APIService storage keeps the cache; each
 * APIService is checked when it appears or changes and then every `intervalMs` (discovery-check.ts),
 * and its status condition written only when it changed (lastTransitionTime moves only when the
 * status does). The proxy answers 503 for an APIService whose condition is not True.
 */
import type { APIService, APIServiceCondition } from '../../api/kinds/apiregistration/api-service.js';
import type { KubeObject } from '../../api/meta.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage, StorageWatchEvent, WatchStream } from '../storage/types.js';
import { checkAvailability, type ApiResource } from './discovery-check.js';
import type { RemoteAgents } from './remote-transport.js';
import type { ServiceStorages } from './service-resolver.js';

const CTX = (): RequestContext => ({ user: 'system:kube-aggregator', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', fieldManager: 'kube-aggregator', warnings: [] });

export interface AvailabilityOptions extends ServiceStorages {
  apiServices: ResourceStorage;
  agents: RemoteAgents;
  /** How often every APIService is checked again (upstream requeues every 30 s; Bosun 5 s, to notice a stopped server sooner). */
  intervalMs?: number;
  log: (msg: string, err?: unknown) => void;
  /** Told each check's outcome, and of a deleted APIService (`a` undefined, not available): the OpenAPI downloads follow it. */
  onChecked?: (name: string, a: APIService | undefined, available: boolean) => void;
}

export class AvailabilityController {
  /** APIServices by name (version.group), as last seen. */
  readonly byName = new Map<string, APIService>();
  /** The last discovery answer of each remote APIService that passed a check. */
  readonly resources = new Map<string, ApiResource[]>();
  private stream?: WatchStream;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly checking = new Map<string, Promise<void>>();

  constructor(private readonly o: AvailabilityOptions) {}

  /** Lists and watches (each APIService checked as it is seen), then checks every one periodically. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => { for (const name of this.byName.keys()) this.check(name); }, this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
    clearInterval(this.timer);
  }

  /** The APIService for a group/version, if one is registered. */
  lookup(group: string, version: string): APIService | undefined {
    return this.byName.get(`${version}.${group}`);
  }

  private async sync(): Promise<void> {
    const list = await this.o.apiServices.list(CTX(), undefined, {});
    this.byName.clear();
    // Checks run on their own: an unreachable extension must not hold up the server's start.
    for (const item of list.items) this.onEvent({ type: 'ADDED', object: item });
    if (this.stopped) return;
    this.stream = await this.o.apiServices.watch(CTX(), undefined, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false }, {
      onEvent: (ev) => this.onEvent(ev),
      onClose: () => {
        if (!this.stopped) setTimeout(() => void this.sync().catch((err: unknown) => this.o.log('apiservices: resync failed', err)), 1000).unref();
      },
    });
  }

  private onEvent(ev: StorageWatchEvent): void {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
    const a = ev.object as APIService;
    const name = a.metadata?.name;
    if (!name) return;
    if (ev.type === 'DELETED') {
      this.byName.delete(name);
      this.resources.delete(name);
      this.o.onChecked?.(name, undefined, false);
      return;
    }
    const before = this.byName.get(name);
    this.byName.set(name, a);
    if (!before || JSON.stringify(before.spec) !== JSON.stringify(a.spec)) this.check(name);
  }

  /** Checks one APIService unless a check of it is under way. */
  private check(name: string): void {
    if (this.checking.has(name) || this.stopped) return;
    const p = this.checkNow(name).catch((err: unknown) => {
      if (!this.stopped) this.o.log(`apiservice ${name}: availability check failed`, err);
    }).finally(() => this.checking.delete(name));
    this.checking.set(name, p);
  }

  private async checkNow(name: string): Promise<void> {
    const a = this.byName.get(name);
    if (!a) return;
    const r = await checkAvailability(a, this.o, this.o.agents, CTX());
    if (r.resources) this.resources.set(name, r.resources);
    const cur = this.byName.get(name);
    if (!cur || this.stopped) return;
    this.o.onChecked?.(name, a, r.available);
    const old = cur.status?.conditions?.find((c) => c.type === 'Available');
    const status = r.available ? 'True' : 'False';
    if (old && old.status === status && old.reason === r.reason && old.message === r.message) return;
    const cond: APIServiceCondition = {
      type: 'Available', status, reason: r.reason, message: r.message,
      lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const conditions = [...(cur.status?.conditions ?? []).filter((c) => c.type !== 'Available'), cond];
    try {
      await this.o.apiServices.update(CTX(), undefined, name, { ...cur, status: { ...(cur.status ?? {}), conditions } } as KubeObject, 'status');
    } catch (err) {
      // Changed meanwhile (the watch brings the new version, which is checked again) or gone.
      if (!isStatusError(err, 409) && !isStatusError(err, 404)) throw err;
    }
  }
}
