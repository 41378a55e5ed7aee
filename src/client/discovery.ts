/**
 * Resources the server serves beyond the built-in kinds (custom resources from CRDs), found through
 * legacy discovery (/apis, then /apis/<group>/<preferred version>), as upstream's controllers find
 * deletable resources (discovery.ServerPreferredResources): one version per group, no subresources,
 * only those that support every verb asked for. Groups of the built-in registry are skipped: their
 * kinds are known statically.
 */
import { registry } from '../api/registry.js';
import type { KubeClient } from './kube-client.js';
import type { ResourceRef } from './resource-ref.js';

interface ApiGroupList { groups?: { name: string; preferredVersion?: { groupVersion: string; version: string } }[] }
interface ApiResourceList { resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] }

export async function discoverCustomResources(client: KubeClient, verbs: readonly string[]): Promise<ResourceRef[]> {
  const builtin = new Set(registry.all().map((d) => d.group));
  const list = await client.raw<ApiGroupList>('GET', '/apis');
  const out: ResourceRef[] = [];
  for (const g of list.groups ?? []) {
    if (builtin.has(g.name) || !g.preferredVersion) continue;
    let resources: ApiResourceList;
    try {
      resources = await client.raw<ApiResourceList>('GET', `/apis/${g.preferredVersion.groupVersion}`);
    } catch {
      continue; // removed between the two requests
    }
    for (const r of resources.resources ?? []) {
      if (r.name.includes('/') || !verbs.every((v) => r.verbs?.includes(v))) continue;
      out.push({ group: g.name, version: g.preferredVersion.version, resource: r.name, namespaced: r.namespaced, kind: r.kind });
    }
  }
  return out;
}
