/**
 * Hash routes (the server serves one page; the hash never leaves the browser):
 *   #/overview   #/r/<plural>?ns=&l=&s=   #/o/<plural>/<namespace or _>/<name>[/<tab>]
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: 'overview' | 'list' | 'detail';
  plural?: string;
  namespace?: string;
  name?: string;
  tab?: string;
  query: URLSearchParams;
}

export function parseRoute(hash = location.hash): Route {
  const [path = '', qs = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(qs);
  if (parts[0] === 'r' && parts[1]) return { page: 'list', plural: parts[1], query };
  if (parts[0] === 'o' && parts[1] && parts[3]) return { page: 'detail', plural: parts[1], namespace: parts[2] === '_' ? undefined : parts[2], name: parts[3], tab: parts[4], query };
  return { page: 'overview', query };
}

export const listHref = (plural: string, q?: Record<string, string>): string => {
  const s = new URLSearchParams(Object.entries(q ?? {}).filter(([, v]) => v)).toString();
  return `#/r/${plural}${s ? `?${s}` : ''}`;
};
export const objectHref = (plural: string, namespace: string | undefined, name: string, tab?: string): string =>
  `#/o/${plural}/${encodeURIComponent(namespace ?? '_')}/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;

export const go = (href: string): void => {
  location.hash = href.replace(/^#/, '');
};

export function useRoute(): Route {
  const [r, setR] = useState(parseRoute());
  useEffect(() => {
    const f = (): void => setR(parseRoute());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return r;
}
