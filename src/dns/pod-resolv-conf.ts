/**
 * The resolv.conf a pod gets (pure; upstream kubelet pkg/kubelet/network/dns): by dnsPolicy,
 *
 *   ClusterFirst (default)   the cluster DNS, search `<ns>.svc.<zone> svc.<zone> <zone>` then the
 *                            node's search domains, `options ndots:5`; a hostNetwork pod falls back to
 *                            Default, as upstream
 *   ClusterFirstWithHostNet  ClusterFirst, for hostNetwork pods too
 *   Default                  the node's resolv.conf as is
 *   None                     only spec.dnsConfig
 *
 * then spec.dnsConfig merged in (nameservers and searches appended without duplicates, options
 * overriding by name). Limits as upstream: 3 nameservers, 32 search domains.
 */
import type { Pod } from '../api/kinds/core/pod.js';
import { DEFAULT_ZONE } from './records.js';
import type { ResolvConf } from './resolv-conf.js';

export interface PodDnsOptions {
  /** Address pods reach the cluster DNS at (e.g. the kube-dns ClusterIP 10.43.0.10). */
  clusterDns: string;
  zone?: string;
  /** The node's resolv.conf (parseResolvConf). */
  host: ResolvConf;
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCH = 32;

interface DnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name?: string; value?: string }[];
}

function mergeOptions(base: string[], extra: DnsConfig['options']): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0]!, o);
  for (const o of extra ?? []) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The effective nameservers, search domains and options of `pod`. */
export function podDnsConfig(pod: Readonly<Pod>, o: PodDnsOptions): ResolvConf {
  const zone = o.zone ?? DEFAULT_ZONE;
  const spec = pod.spec ?? ({} as NonNullable<Pod['spec']>);
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  let conf: ResolvConf;
  switch (policy) {
    case 'None':
      conf = { nameservers: [], search: [], options: [] };
      break;
    case 'Default':
      conf = { nameservers: [...o.host.nameservers], search: [...o.host.search], options: [...o.host.options] };
      break;
    default: {
      const ns = pod.metadata.namespace ?? 'default';
      conf = { nameservers: [o.clusterDns], search: [`${ns}.svc.${zone}`, `svc.${zone}`, zone, ...o.host.search], options: ['ndots:5'] };
    }
  }
  const extra = (spec as { dnsConfig?: DnsConfig }).dnsConfig;
  const uniq = (xs: string[]): string[] => [...new Set(xs)];
  return {
    nameservers: uniq([...conf.nameservers, ...(extra?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    search: uniq([...conf.search, ...(extra?.searches ?? [])]).slice(0, MAX_SEARCH),
    options: mergeOptions(conf.options, extra?.options),
  };
}

/** resolv.conf text for `pod`. */
export function podResolvConf(pod: Readonly<Pod>, o: PodDnsOptions): string {
  const c = podDnsConfig(pod, o);
  const lines = [...c.nameservers.map((n) => `nameserver ${n}`)];
  if (c.search.length > 0) lines.push(`search ${c.search.join(' ')}`);
  if (c.options.length > 0) lines.push(`options ${c.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
