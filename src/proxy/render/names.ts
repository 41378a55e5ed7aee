/**
 * nftables object names (upstream kube-proxy nftables style): a short hash keeps names unique
 * whatever the Service and port names are, the readable part helps whoever reads `nft list`.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PROXY_TABLE } from '../../api/defaults.js';
import type { Backend } from './model.js';

export const TABLE_NAME = DEFAULT_PROXY_TABLE;
/** Packet mark bit asking the postrouting hook to masquerade (kube-proxy's 0x4000). */
export const MASQ_MARK = '0x4000';

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/** nft identifiers allow letters, digits and `/ - _ .`; anything else becomes `_`. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9/_.-]/g, '_');
}

export function serviceChain(id: string): string {
  return `service-${hash(id)}-${safe(id)}`;
}

export function externalChain(id: string): string {
  return `external-${hash(id)}-${safe(id)}`;
}

export function localChain(id: string): string {
  return `local-${hash(id)}-${safe(id)}`;
}

export function firewallChain(id: string): string {
  return `firewall-${hash(id)}-${safe(id)}`;
}

export function endpointChain(id: string, b: Backend): string {
  const ep = `${id}__${b.ip}/${b.port}`;
  return `endpoint-${hash(ep)}-${safe(ep)}`;
}

export function affinitySet(id: string, b: Backend): string {
  const ep = `${id}__${b.ip}/${b.port}`;
  return `affinity-${hash(ep)}-${safe(ep)}`;
}
