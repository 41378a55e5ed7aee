/**
 * Feeds the APF limiter from the server's own store, as upstream's configController reads its
 * informers: FlowSchemas and PriorityLevelConfigurations are listed, then watched; each change
 * gives the limiter the whole new configuration (and so drops its decision cache). Each FlowSchema's
 * Dangling condition is kept as upstream's configController writes it (True with reason NotFound
 * when its priority level does not exist, False with reason Found otherwise), through /status.
 * While it runs, the limiter re-derives its levels' borrowed limits periodically (ApfLimiter.start).
 */
import { flowSchemas, type FlowSchema } from '../../api/kinds/flowcontrol/flow-schema.js';
import { priorityLevelConfigurations, type PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KeyValue, Store, WatchHandle } from '../../store/types.js';
import { decodeKv } from '../storage/codec.js';
import { resourcePrefix } from '../storage/keys.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import type { ApfLimiter } from './apf-limiter.js';

const context = (): RequestContext => ({ user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Strict', fieldManager: 'api-priority-and-fairness-config-consumer-v1', warnings: [] });

function watched<T extends KubeObject>(store: Store, def: ResourceDefinition<T>, changed: () => void): { items: Map<string, T>; start(): Promise<void>; stop(): void } {
  const items = new Map<string, T>();
  let handle: WatchHandle | undefined;
  let stopped = false;
  const decode = (kv: KeyValue): T => { const o = decodeKv(def, kv); o.metadata.resourceVersion = String(kv.modRevision); return o; };
  const start = async (): Promise<void> => {
    const listed = await store.list(resourcePrefix(def));
    items.clear();
    for (const kv of listed.items) items.set(kv.key, decode(kv));
    changed();
    handle = store.watch(resourcePrefix(def), listed.revision, {
      onEvents: (events) => {
        for (const ev of events) if (ev.type === 'DELETE') items.delete(ev.kv.key); else items.set(ev.kv.key, decode(ev.kv));
        changed();
      },
      onError: () => { if (!stopped) setTimeout(() => { if (!stopped) void start().catch(() => undefined); }, 1000).unref(); },
    });
  };
  return { items, start, stop: () => { stopped = true; handle?.cancel(); } };
}

export interface FlowcontrolConfig { ready: Promise<void>; stop(): void }

export function startFlowcontrolConfig(store: Store, limiter: ApfLimiter, schemasStorage: ResourceStorage): FlowcontrolConfig {
  let scheduled = false;
  const changed = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const pls = [...levels.items.values()];
      const fss = [...schemas.items.values()];
      limiter.setConfig(fss, pls);
      void markDangling(fss, new Set(pls.map((p) => p.metadata.name ?? ''))).catch(() => undefined);
    });
  };
  const levels = watched<PriorityLevelConfiguration>(store, priorityLevelConfigurations, changed);
  const schemas = watched<FlowSchema>(store, flowSchemas, changed);

  async function markDangling(fss: FlowSchema[], plNames: Set<string>): Promise<void> {
    for (const fs of fss) {
      const pl = fs.spec?.priorityLevelConfiguration?.name ?? '';
      const dangling = !plNames.has(pl);
      const status = dangling ? 'True' : 'False';
      const conditions = fs.status?.conditions ?? [];
      if (conditions.find((c) => c.type === 'Dangling')?.status === status) continue;
      const condition = {
        type: 'Dangling', status, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        reason: dangling ? 'NotFound' : 'Found',
        message: dangling ? `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" but there is no such object` : `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" and it exists`,
      };
      const next = { ...fs, status: { ...fs.status, conditions: [...conditions.filter((c) => c.type !== 'Dangling'), condition] } };
      try { await schemasStorage.update(context(), undefined, fs.metadata.name!, next, 'status'); } catch { /* a newer version comes through the watch */ }
    }
  }
  limiter.start();
  return { ready: Promise.all([levels.start(), schemas.start()]).then(() => undefined), stop: () => { limiter.stop(); levels.stop(); schemas.stop(); } };
}
