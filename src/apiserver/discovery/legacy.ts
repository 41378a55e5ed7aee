/**
 * Legacy (unaggregated) discovery documents: APIVersions at /api, APIGroupList at /apis, APIGroup at
 * /apis/<g>, APIResourceList at /api/v1 and /apis/<g>/<v>.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf } from '../../api/meta.js';
import type { ApiCatalog, CatalogEntry } from './catalog.js';
import { subresourceKind } from './subresource-kinds.js';

/** Where clients reach the server; kubectl ignores it but the field is required. */
export function serverAddresses(hostPort: string): { clientCIDR: string; serverAddress: string }[] {
  return [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }];
}

export function apiVersions(hostPort: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: serverAddresses(hostPort) };
}

function apiGroup(name: string, versions: string[]): object {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(catalog: ApiCatalog): object {
  const groups = [...catalog.groups()].map(([name, versions]) => apiGroup(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroupDoc(catalog: ApiCatalog, group: string): object | undefined {
  const versions = catalog.groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

/** storageVersionHash as upstream computes it: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(e: CatalogEntry): string {
  const d = e.def;
  return createHash('sha256').update(`${d.group}/${d.version}/${d.kind}`).digest().subarray(0, 8).toString('base64');
}

export function apiResourceList(catalog: ApiCatalog, group: string, version: string): object | undefined {
  const entries = catalog.entriesOf({ group, version });
  if (entries.length === 0) return undefined;
  const resources: object[] = [];
  for (const e of entries) {
    const d = e.def;
    resources.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...d.verbs].sort(),
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length ? { categories: d.categories } : {}),
      storageVersionHash: storageVersionHash(e),
    });
    for (const sub of catalog.subresourcesOf(d)) {
      const k = subresourceKind(sub, d);
      const sameGv = k.group === d.group && k.version === d.version;
      resources.push({
        name: `${d.plural}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(sameGv ? {} : { group: k.group, version: k.version }),
        kind: k.kind,
        verbs: k.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}
