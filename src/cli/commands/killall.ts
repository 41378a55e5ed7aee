/**
 * `bosun killall [--data-dir DIR]` and `bosun uninstall [--data-dir DIR]`, as k3s-killall.sh and
 * k3s-uninstall.sh: killall stops everything of the node whose data dir is DIR (src/cluster/killall);
 * uninstall does that, then removes the service files that run DIR and DIR itself.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../api/defaults.js';
import { killall, type KillallReport } from '../../cluster/killall/killall.js';
import { HOST_RESOURCES_FILE } from '../../cluster/host-resources.js';
import { removeServices } from '../../service-units/install.js';

function summary(r: KillallReport): string {
  return [
    r.bosunPid ? `stopped bosun (pid ${r.bosunPid})` : 'no bosun process running',
    `${r.sandboxesRemoved} pod sandboxes removed`, `${r.processesKilled} processes killed`,
    `${r.netnsDeleted.length} network namespaces deleted`, `${r.unmounted.length} mounts unmounted`,
    `nftables tables deleted: ${r.tables.join(', ') || 'none'}`, r.routesRemoved ? 'host-gw routes removed' : 'no routes removed',
    r.bridgeDeleted ? `bridge ${r.bridgeDeleted} deleted` : 'no bridge deleted',
  ].join('; ');
}

/** What a bosun data dir holds; uninstall refuses to delete a directory with none of it. */
const looksLikeDataDir = (dir: string): boolean =>
  ['pki', 'state.db', 'node', 'containerd', 'agent', HOST_RESOURCES_FILE].some((e) => existsSync(join(dir, e)));

export function registerKillallCommands(program: Command): void {
  program
    .command('killall')
    .description('stop everything of the node on DATA_DIR: bosun, pods, containerd, shims, mounts, network namespaces, nftables, routes, cgroups')
    .option('--data-dir <dir>', 'the node\'s data dir', DEFAULT_DATA_DIR)
    .action(async (o: { dataDir: string }) => {
      process.stdout.write(`bosun: killall ${resolve(o.dataDir)}: ${summary(await killall(resolve(o.dataDir)))}\n`);
    });
  program
    .command('uninstall')
    .description('killall, then remove the service files that run DATA_DIR and DATA_DIR itself')
    .option('--data-dir <dir>', 'the node\'s data dir', DEFAULT_DATA_DIR)
    .action(async (o: { dataDir: string }) => {
      const dir = resolve(o.dataDir);
      if (existsSync(dir) && (dir === '/' || !looksLikeDataDir(dir))) throw new Error(`${dir} is not a bosun data dir; refusing to remove it`);
      process.stdout.write(`bosun: killall ${dir}: ${summary(await killall(dir))}\n`);
      for (const f of removeServices(dir)) process.stdout.write(`bosun: removed ${f}\n`);
      rmSync(dir, { recursive: true, force: true });
      process.stdout.write(`bosun: removed ${dir}\n`);
    });
}
