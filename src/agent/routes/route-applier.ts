/**
 * Programs host-gw routes with iproute2. Every route Bosun adds carries routing protocol 66
 * (`proto 66`), so the applier can find exactly its own routes again (after a restart too), delete
 * the ones no longer wanted, and remove all of them on stop, without touching anyone else's.
 * `ip route replace` makes each apply idempotent.
 */
import { execFile } from 'node:child_process';
import type { Route } from './desired-routes.js';

/** The rtnetlink protocol number marking Bosun's routes. */
export const BOSUN_ROUTE_PROTO = 66;

/** Runs `ip` with these arguments and resolves with stdout (tests run it inside a netns). */
export type IpRunner = (args: string[]) => Promise<string>;

export const hostIp: IpRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });

export interface InstalledRoute {
  cidr: string;
  via?: string;
}

export interface SyncResult {
  added: Route[];
  removed: InstalledRoute[];
  /** Routes the kernel refused (e.g. the next hop is not on a directly connected network). */
  failed: { route: Route; error: string }[];
}

export class RouteApplier {
  constructor(private readonly ip: IpRunner = hostIp) {}

  /** Bosun's routes now in the main table. */
  async installed(): Promise<InstalledRoute[]> {
    const out = await this.ip(['-j', '-4', 'route', 'show', 'proto', String(BOSUN_ROUTE_PROTO)]);
    const rows = JSON.parse(out.trim() || '[]') as { dst?: string; gateway?: string }[];
    return rows.filter((r) => r.dst).map((r) => ({ cidr: r.dst!.includes('/') ? r.dst! : `${r.dst}/32`, via: r.gateway }));
  }

  /** Makes Bosun's routes exactly `want`. */
  async sync(want: readonly Route[]): Promise<SyncResult> {
    const have = await this.installed();
    const wanted = new Map(want.map((r) => [r.cidr, r]));
    const result: SyncResult = { added: [], removed: [], failed: [] };
    for (const h of have) {
      const w = wanted.get(h.cidr);
      if (w && w.via === h.via) {
        wanted.delete(h.cidr);
        continue;
      }
      if (!w) {
        await this.ip(['route', 'del', h.cidr, 'proto', String(BOSUN_ROUTE_PROTO)]).catch(() => undefined);
        result.removed.push(h);
      }
    }
    for (const r of wanted.values()) {
      try {
        await this.ip(['route', 'replace', r.cidr, 'via', r.via, 'proto', String(BOSUN_ROUTE_PROTO)]);
        result.added.push(r);
      } catch (err) {
        result.failed.push({ route: r, error: (err as Error).message });
      }
    }
    return result;
  }

  /** Removes every route Bosun added. */
  async removeAll(): Promise<void> {
    await this.sync([]);
  }
}
