/**
 * Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): the whole API in two documents, /api for
 * the core group and /apis for the rest. Answered with exactly the media type the client asked for.
 */
import type { ApiCatalog } from './catalog.js';
import { subresourceKind } from './subresource-kinds.js';

export type AggregatedVersion = 'v2' | 'v2beta1';

/** The Content-Type of an aggregated discovery answer. */
export function aggregatedContentType(v: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

/** Which aggregated version (if any) an Accept header asks for first. */
export function wantsAggregated(accept: string | undefined): AggregatedVersion | undefined {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

function versionDoc(catalog: ApiCatalog, group: string, version: string): object {
  const resources = catalog.entriesOf({ group, version }).map(({ def: d }) => ({
    resource: d.plural,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: d.singular,
    verbs: [...d.verbs].sort(),
    ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
    ...(d.categories.length ? { categories: d.categories } : {}),
    ...(() => {
      const subs = catalog.subresourcesOf(d).map((sub) => {
        const k = subresourceKind(sub, d);
        return { subresource: sub, responseKind: { group: k.group, version: k.version, kind: k.kind }, verbs: k.verbs };
      });
      return subs.length ? { subresources: subs } : {};
    })(),
  }));
  return { version, resources, freshness: 'Current' };
}

/** The APIGroupDiscoveryList for /api (core: true) or /apis (core: false). */
export function aggregatedDiscovery(catalog: ApiCatalog, core: boolean, v: AggregatedVersion): object {
  const items: object[] = [];
  if (core) {
    if (catalog.hasGroupVersion('', 'v1')) items.push({ metadata: { creationTimestamp: null }, versions: [versionDoc(catalog, '', 'v1')] });
  } else {
    for (const [group, versions] of catalog.groups()) {
      items.push({ metadata: { name: group, creationTimestamp: null }, versions: versions.map((ver) => versionDoc(catalog, group, ver)) });
    }
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
