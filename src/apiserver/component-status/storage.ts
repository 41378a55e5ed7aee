/**
 * The read-only storage of v1 componentstatuses, as upstream's pkg/registry/core/componentstatus
 * REST: each get or list runs the components' health checks (health.ts) and answers their Healthy
 * condition; nothing is stored. Label and field selectors are ignored, as upstream's List says. Every
 * answer carries upstream's deprecation warning; every other verb answers 405.
 */
import type { ComponentStatus } from '../../api/kinds/core/component-status.js';
import { componentStatuses } from '../../api/kinds/core/component-status.js';
import type { KubeList } from '../../api/meta.js';
import { errors } from '../../api/status.js';
import { refusedWrites } from '../storage/read-only.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import type { ComponentHealth } from './health.js';

/** Upstream's warning for the deprecated kind (its `prerelease-lifecycle-gen:deprecated=1.19`). */
export const COMPONENT_STATUS_DEPRECATION = 'v1 ComponentStatus is deprecated in v1.19+';

async function statusOf(health: ComponentHealth, name: string): Promise<ComponentStatus | undefined> {
  const r = await health.check(name);
  if (!r) return undefined;
  return {
    apiVersion: 'v1', kind: 'ComponentStatus', metadata: { name },
    conditions: [{ type: 'Healthy', status: r.healthy ? 'True' : 'False', ...(r.message ? { message: r.message } : {}), ...(r.error ? { error: r.error } : {}) }],
  };
}

function warn(ctx: RequestContext): void {
  if (!ctx.warnings.includes(COMPONENT_STATUS_DEPRECATION)) ctx.warnings.push(COMPONENT_STATUS_DEPRECATION);
}

export function createComponentStatusStorage(health: ComponentHealth): ResourceStorage {
  return {
    def: componentStatuses,
    async get(ctx, _ns, name) {
      warn(ctx);
      const found = await statusOf(health, name);
      if (!found) throw errors.notFound({ group: '', kind: 'ComponentStatus', resource: 'componentstatuses', name });
      return found;
    },
    async list(ctx): Promise<KubeList> {
      warn(ctx);
      const items = await Promise.all(health.names().map((n) => statusOf(health, n)));
      return { apiVersion: 'v1', kind: 'ComponentStatusList', metadata: {}, items: items.filter((i) => i !== undefined) };
    },
    ...refusedWrites,
  };
}
