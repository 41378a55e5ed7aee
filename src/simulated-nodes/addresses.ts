/**
 * Fake addressing for simulated nodes: node number i (from 1) gets host IP 172.16.0.0 + i and pod
 * CIDR 10.(128 + i/256).(i%256).0/24, so up to 32,767 nodes never collide. Pod IPs are handed out
 * from .2 to .254 of the node's /24 and returned when the pod goes.
 */

export function hostIP(i: number): string {
  const n = (172 << 24 | 16 << 16) + i;
  return [n >>> 24 & 255, n >>> 16 & 255, n >>> 8 & 255, n & 255].join('.');
}

export function podCIDR(i: number): string {
  if (i < 0 || i >= 32_768) throw new Error(`simulated node number ${i} out of range (0-32767)`);
  return `10.${128 + (i >> 8)}.${i & 255}.0/24`;
}

/** Per-node pod IP allocation within its /24. */
export class PodIPAllocator {
  private readonly prefix: string;
  private readonly used = new Map<string, number>(); // pod uid -> host octet
  private readonly taken = new Set<number>();
  private next = 2;

  constructor(cidr: string) {
    this.prefix = cidr.slice(0, cidr.lastIndexOf('.') + 1);
  }

  /** The pod's IP, allocating one if needed; undefined when the /24 is full. */
  allocate(uid: string): string | undefined {
    const have = this.used.get(uid);
    if (have !== undefined) return this.prefix + have;
    for (let tries = 0; tries < 253; tries++) {
      const octet = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (this.taken.has(octet)) continue;
      this.taken.add(octet);
      this.used.set(uid, octet);
      return this.prefix + octet;
    }
    return undefined;
  }

  /** Record an IP a pod already has (after a restart of the fleet). False if it is not ours or taken by another pod. */
  claim(uid: string, ip: string): boolean {
    if (!ip.startsWith(this.prefix)) return false;
    const octet = Number(ip.slice(this.prefix.length));
    const owner = [...this.used.entries()].find(([, o]) => o === octet)?.[0];
    if (owner !== undefined && owner !== uid) return false;
    this.taken.add(octet);
    this.used.set(uid, octet);
    return true;
  }

  release(uid: string): void {
    const octet = this.used.get(uid);
    if (octet === undefined) return;
    this.used.delete(uid);
    this.taken.delete(octet);
  }

  get size(): number {
    return this.used.size;
  }
}
