import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCIDR } from '../../api/net/cidr.js';
import { formatIPv4 } from '../../api/net/ip.js';
import { DEFAULT_CNI_BRIDGE } from '../../api/defaults.js';

/**
 * The node's CNI network: a Linux bridge with the node's pod CIDR (host-local IPAM), hostPort
 * support (portmap) and a loopback in each pod. The bridge is the pods' gateway and masquerades
 * their traffic leaving the pod CIDR. Read by containerd's CRI plugin from its CNI conf_dir.
 */

export interface CniNetworkOptions {
  /** Let the bridge plugin masquerade everything leaving the pod CIDR (default true). */
  ipMasq?: boolean;
  /** The node's pod CIDR, e.g. "10.42.0.0/24". */
  podCIDR: string;
  /** Bridge device name (at most 15 characters); default "bosun0". */
  bridge?: string;
  /** CNI network name; default "bosun". */
  name?: string;
  /** host-local keeps its allocations here; default is host-local's own (/var/lib/cni/networks). */
  ipamDataDir?: string;
  mtu?: number;
}

export const CNI_VERSION = '0.4.0';
export const CONFLIST_FILE = '10-bosun.conflist';

/** Checks `cidr` is an IPv4 network address with a usable size (/8../30), as src/api/net parses it. */
export function parseIPv4Cidr(cidr: string): { base: number; prefix: number } {
  const c = parseCIDR(cidr);
  if (c?.family !== 4) throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}: want IPv4 a.b.c.d/n`);
  if (c.prefix < 8 || c.prefix > 30) throw new Error(`invalid pod CIDR ${cidr}: prefix must be between /8 and /30`);
  if (!c.isNetwork) throw new Error(`invalid pod CIDR ${cidr}: host bits set (network address expected)`);
  return { base: Number(c.first), prefix: c.prefix };
}

/** The gateway (bridge) address host-local hands out: the first host address of the CIDR. */
export function gatewayFor(podCIDR: string): string {
  return formatIPv4(parseIPv4Cidr(podCIDR).base + 1);
}

/** The conflist object (serialize with JSON.stringify). */
export function renderCniConflist(o: CniNetworkOptions): object {
  parseIPv4Cidr(o.podCIDR);
  const bridge = o.bridge ?? DEFAULT_CNI_BRIDGE;
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  const ipam: Record<string, unknown> = {
    type: 'host-local',
    ranges: [[{ subnet: o.podCIDR, gateway: gatewayFor(o.podCIDR) }]],
    routes: [{ dst: '0.0.0.0/0' }],
  };
  if (o.ipamDataDir) ipam.dataDir = o.ipamDataDir;
  return {
    cniVersion: CNI_VERSION,
    name: o.name ?? 'bosun',
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        // Off when the node's pod network masquerades only traffic leaving the cluster (src/agent/routes).
        ipMasq: o.ipMasq ?? true,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam,
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  };
}

/**
 * Writes the conflist into `confDir`, replacing any other *.conf/*.conflist there (the CRI plugin
 * loads the first file by name, so a stray one would win). Returns the file path.
 */
export function writeCniConfig(confDir: string, o: CniNetworkOptions): string {
  mkdirSync(confDir, { recursive: true });
  for (const f of readdirSync(confDir)) {
    if (f !== CONFLIST_FILE && /\.(conf|conflist|json)$/.test(f)) rmSync(join(confDir, f));
  }
  const file = join(confDir, CONFLIST_FILE);
  writeFileSync(file, `${JSON.stringify(renderCniConflist(o), null, 2)}\n`);
  return file;
}
