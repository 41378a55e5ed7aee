/**
 * Service networks of the test nodes on one host: a /16 of 10.100.0.0-10.199.255.255 each, never the
 * same for two live nodes. Test nodes share the host's nftables and a node's proxy maps a ClusterIP
 * whatever the packet's source, so with one network for two nodes both map 10.X.0.1 and 10.X.0.10
 * and the first node's pods reach the other node's API server and DNS (which answers REFUSED: they
 * are not its clients) for as long as both live. Picking at random among 100 networks did not
 * prevent it: with a few nodes of concurrent test files up, a whole DNS-using file failed now and then.
 *
 * A node reserves its network with an entry `<second octet>.<pid>.<owner>` in DIR (one directory
 * entry a node, made with an exclusive create), then looks for another live entry of that network
 * and, if there is one, withdraws and tries another network (of two nodes that raced, at least one
 * sees the other). An entry whose process is gone is stale: ignored and removed. A network an
 * nftables table of the host already maps (a node of a tree without reservations, or one whose test
 * died and left its table) is skipped too.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** /run is a tmpfs: reservations never outlive a reboot. */
export const RESERVATIONS_DIR = '/run/bosun-test/service-cidrs';

export interface ServiceCIDR {
  cidr: string;
  /** Gives the network back (idempotent). */
  release(): void;
}

export interface ReserveOptions {
  dir?: string;
  /** Second octets some nftables table of the host already maps (default: read `nft list ruleset`). */
  mapped?: () => Set<number>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Second octets of the 10.100-199 addresses in the host's nftables ruleset. */
function mappedByNft(): Set<number> {
  let text = '';
  try {
    text = execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch { /* no nft: nothing known to be mapped */ }
  return new Set([...text.matchAll(/\b10\.(1\d\d)\.\d+\.\d+\b/g)].map((m) => Number(m[1])));
}

/** Live entries of network `octet` other than `mine`; removes the stale ones it meets. */
function othersOf(dir: string, octet: number, mine: string): string[] {
  return readdirSync(dir).filter((e) => {
    const [o, pid] = e.split('.');
    if (Number(o) !== octet || e === mine) return false;
    if (alive(Number(pid))) return true;
    rmSync(join(dir, e), { force: true });
    return false;
  });
}

/** Reserves a service network for the node named `owner` (a unique name, e.g. its prefix). */
export function reserveServiceCIDR(owner: string, o: ReserveOptions = {}): ServiceCIDR {
  const dir = o.dir ?? RESERVATIONS_DIR;
  mkdirSync(dir, { recursive: true });
  const mapped = (o.mapped ?? mappedByNft)();
  const candidates = Array.from({ length: 100 }, (_, i) => 100 + i).filter((n) => !mapped.has(n));
  while (candidates.length > 0) {
    const octet = candidates.splice(randomInt(candidates.length), 1)[0]!;
    const entry = `${octet}.${process.pid}.${owner}`;
    const path = join(dir, entry);
    closeSync(openSync(path, 'wx'));
    if (othersOf(dir, octet, entry).length > 0) {
      rmSync(path, { force: true });
      continue;
    }
    return { cidr: `10.${octet}.0.0/16`, release: () => rmSync(path, { force: true }) };
  }
  throw new Error(`no free service network for ${owner}: all of 10.100-199.0.0/16 are reserved in ${dir} or mapped by nftables`);
}
