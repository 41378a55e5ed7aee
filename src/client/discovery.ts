/**
 * Resources the server serves beyond the built-in kinds (custom resources from CRDs), found through
 * legacy discovery (/apis, then /apis/<group>/<preferred version>), as upstream's controllers find
 * deletable resources (discovery.ServerPreferredResources): one version per group, no subresources,
 * only those that support every verb asked for. Groups of the built-in registry are skipped: their
 * kinds are known statically.
 */
import { registry } from '../api/registry.js';
import { isNotFound } from './errors.js';
import type { KubeClient } from './kube-client.js';
import type { ResourceRef } from './resource-ref.js';

interface ApiGroupList { groups?: { name: string; preferredVersion?: { groupVersion: string; version: string } }[] }
interface ApiResourceList { resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] }

export async function discoverCustomResources(client: KubeClient, verbs: readonly string[]): Promise<ResourceRef[]> {
  return (await discoverCustomResourcesPartially(client, verbs)).resources;
}

/**
 * `discoverCustomResources`, also naming the groups whose version could not be read (an error other
 * than 404), whose resources are then missing from `resources` though they may well be served: a
 * caller stopping work for resources no longer served keeps those groups' as they are, as upstream's
 * garbage collector does on a partial discovery failure (ErrGroupDiscoveryFailed).
 */
export async function discoverCustomResourcesPartially(client: KubeClient, verbs: readonly string[]): Promise<{ resources: ResourceRef[]; failedGroups: Set<string> }> {
  const builtin = new Set(registry.all().map((d) => d.group));
  const list = await client.raw<ApiGroupList>('GET', '/apis');
  const out: ResourceRef[] = [];
  const failedGroups = new Set<string>();
  for (const g of list.groups ?? []) {
    if (builtin.has(g.name) || !g.preferredVersion) continue;
    let resources: ApiResourceList;
    try {
      resources = await client.raw<ApiResourceList>('GET', `/apis/${g.preferredVersion.groupVersion}`);
    } catch (err) {
      if (!isNotFound(err)) failedGroups.add(g.name);
      continue; // 404: removed between the two requests
    }
    for (const r of resources.resources ?? []) {
      if (r.name.includes('/') || !verbs.every((v) => r.verbs?.includes(v))) continue;
      out.push({ group: g.name, version: g.preferredVersion.version, resource: r.name, namespaced: r.namespaced, kind: r.kind });
    }
  }
  return { resources: out, failedGroups };
}
