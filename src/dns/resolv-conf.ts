/** The node's upstream resolvers, from resolv.conf (pure parser plus a file reader). */
import { readFileSync } from 'node:fs';

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/** Nameservers of `path` (default /etc/resolv.conf); empty when the file is missing. */
export function upstreamsFromResolvConf(path = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8')).nameservers;
  } catch {
    return [];
  }
}
