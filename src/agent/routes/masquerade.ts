/**
 * Source NAT for pod traffic leaving the cluster, and only that: pods reach pods on other nodes and
 * Services with their own addresses (the receiving pod sees the real client), while traffic to
 * anything else (the internet, node addresses, the host network) leaves with the node's address.
 * One nftables table, `ip bosun-masq`, replaced atomically on apply and deleted on remove:
 *
 *   ip saddr <cluster CIDR> ip daddr != { <cluster CIDR>, <service CIDR> } masquerade
 *
 * This replaces the CNI bridge plugin's ipMasq, which masquerades everything not in the node's own
 * /24 and so hides pod addresses from pods on other nodes (the CNI config must set ipMasq=false).
 */
import { execFile } from 'node:child_process';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR } from '../../api/defaults.js';
import { parseCIDR } from '../../api/net/cidr.js';

export const MASQ_TABLE = 'bosun-masq';

export interface MasqueradeOptions {
  /** Default 10.42.0.0/16. */
  clusterCidr?: string;
  /** Default 10.43.0.0/16. */
  serviceCidr?: string;
  /** Table name (tests use their own). */
  table?: string;
}

/** Runs `nft -f -` with the script on stdin (tests run it inside a netns). */
export type NftRunner = (args: string[], stdin?: string) => Promise<string>;

export const hostNft: NftRunner = (args, stdin) =>
  new Promise((resolve, reject) => {
    const child = execFile('nft', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`nft ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });

/** The nft script that (re)creates the table. */
export function masqueradeScript(o: MasqueradeOptions = {}): string {
  const table = o.table ?? MASQ_TABLE;
  const ipv4Cidr = (text: string): string => {
    const c = parseCIDR(text);
    if (c?.family !== 4) throw new Error(`not an IPv4 CIDR: ${text}`);
    return c.text;
  };
  const cluster = ipv4Cidr(o.clusterCidr ?? DEFAULT_CLUSTER_CIDR);
  const service = ipv4Cidr(o.serviceCidr ?? DEFAULT_SERVICE_CIDR);
  if (!/^[a-z][a-z0-9_-]{0,30}$/.test(table)) throw new Error(`bad nftables table name ${table}`);
  return [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${cluster} ip daddr != { ${cluster}, ${service} } masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function applyMasquerade(o: MasqueradeOptions = {}, nft: NftRunner = hostNft): Promise<void> {
  await nft(['-f', '-'], masqueradeScript(o));
}

export async function removeMasquerade(o: Pick<MasqueradeOptions, 'table'> = {}, nft: NftRunner = hostNft): Promise<void> {
  await nft(['delete', 'table', 'ip', o.table ?? MASQ_TABLE]).catch((err: Error) => {
    if (!/No such file or directory|does not exist/i.test(err.message)) throw err;
  });
}
