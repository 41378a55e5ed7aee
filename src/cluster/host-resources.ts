/**
 * What a node programs on its host outside its data dir, recorded in the data dir when the node
 * starts (DATA_DIR/host-resources.json), so that `bosun killall --data-dir DIR` removes exactly this
 * node's tables, bridge and cgroups and not those of another node sharing the machine. Names are
 * the resolved ones (defaults filled in), the record is rewritten at every start.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOST_RESOURCES_FILE = 'host-resources.json';

export interface HostResources {
  /** PID of the bosun process running the node (killall stops it first). */
  pid: number;
  /** The service proxy's nftables table (ip family); absent when the node runs no proxy. */
  proxyTable?: string;
  /** The NetworkPolicy enforcer's table (ip family); absent when the node runs none. */
  policyTable?: string;
  /** The masquerade table (ip family); absent without the pod network (--no-routes). */
  masqTable?: string;
  /** Whether the node programs host-gw routes (proto 66). */
  routes: boolean;
  /** The CNI bridge. */
  bridge: string;
  /** cgroupfs parent of the pod cgroups. */
  cgroupRoot: string;
}

/** The masquerade table that goes with a proxy table: `bosun` -> `bosun-masq`. */
export const masqTableFor = (proxyTable: string): string => `${proxyTable}-masq`;

/**
 * DATA_DIR/bosun.pid: the bosun server or agent running on DATA_DIR, written at start, so that
 * killall finds it also when it runs no node (--disable-agent) and its command line does not name
 * the data dir (the default, or a config file).
 */
export const PID_FILE = 'bosun.pid';

export function writePidFile(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, PID_FILE), `${process.pid}\n`);
}

export function readPidFile(dataDir: string): number | undefined {
  try {
    const n = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function writeHostResources(dataDir: string, r: HostResources): void {
  writeFileSync(join(dataDir, HOST_RESOURCES_FILE), `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600 });
}

/** The record in `dataDir`, or undefined when there is none (never started, or removed). */
export function readHostResources(dataDir: string): HostResources | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, HOST_RESOURCES_FILE), 'utf8')) as HostResources;
  } catch {
    return undefined;
  }
}
