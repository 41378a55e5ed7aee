/**
 * `bosun install-service` and the service part of `bosun uninstall`: where the service files go
 * (under `root`, "/" but for tests), enabling them with systemctl / rc-update when those exist, and
 * finding the ones that run a given data dir again.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_DATA_DIR } from '../api/defaults.js';
import { renderOpenrcScript, renderSystemdUnit, unitName, type ServiceSpec } from './render.js';

export interface InstallOptions {
  /** Filesystem root the files go under (default "/"). */
  root?: string;
  /** Write the OpenRC script whether or not /sbin/openrc-run exists. */
  openrc?: boolean;
  /** Run systemctl / rc-update when present (default true). */
  enable?: boolean;
}

export interface Installed {
  systemdUnit: string;
  openrcScript?: string;
  /** Commands run to enable the service (none when no service manager runs here). */
  enabled: string[];
}

const systemdPath = (root: string, role: ServiceSpec['role']) => join(root, 'etc/systemd/system', `${unitName(role)}.service`);
const openrcPath = (root: string, role: ServiceSpec['role']) => join(root, 'etc/init.d', unitName(role));

const has = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

function write(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

export function installService(spec: ServiceSpec, o: InstallOptions = {}): Installed {
  const root = o.root ?? '/';
  const out: Installed = { systemdUnit: systemdPath(root, spec.role), enabled: [] };
  write(out.systemdUnit, renderSystemdUnit(spec), 0o644);
  if (o.openrc || existsSync(join(root, 'sbin/openrc-run'))) {
    out.openrcScript = openrcPath(root, spec.role);
    write(out.openrcScript, renderOpenrcScript(spec), 0o755);
  }
  if (o.enable !== false && root === '/') {
    const name = unitName(spec.role);
    // A running systemd (not merely its binaries, as in a container) is told about the unit.
    if (has('systemctl') && existsSync('/run/systemd/system')) {
      for (const args of [['daemon-reload'], ['enable', `${name}.service`]]) {
        execFileSync('systemctl', args, { stdio: 'inherit' });
        out.enabled.push(`systemctl ${args.join(' ')}`);
      }
    }
    if (out.openrcScript && has('rc-update')) {
      execFileSync('rc-update', ['add', name, 'default'], { stdio: 'inherit' });
      out.enabled.push(`rc-update add ${name} default`);
    }
  }
  return out;
}

/** Whether a service file runs the node of `dataDir` (it names it, or names none and it is the default). */
function runsDataDir(text: string, dataDir: string): boolean {
  const m = /--data-dir[= ]+["']?([^\s"']+)/.exec(text);
  return m ? m[1] === dataDir : dataDir === DEFAULT_DATA_DIR;
}

/** Removes the service files (both roles, both managers) that run `dataDir`; returns their paths. */
export function removeServices(dataDir: string, o: { root?: string } = {}): string[] {
  const root = o.root ?? '/';
  const removed: string[] = [];
  for (const role of ['server', 'agent'] as const) {
    for (const p of [systemdPath(root, role), openrcPath(root, role)]) {
      if (!existsSync(p) || !runsDataDir(readFileSync(p, 'utf8'), dataDir)) continue;
      if (root === '/' && p.endsWith('.service') && has('systemctl') && existsSync('/run/systemd/system')) {
        try { execFileSync('systemctl', ['disable', '--now', `${unitName(role)}.service`], { stdio: 'ignore' }); } catch { /* not enabled */ }
      }
      if (root === '/' && !p.endsWith('.service') && has('rc-update')) {
        try { execFileSync('rc-update', ['del', unitName(role), 'default'], { stdio: 'ignore' }); } catch { /* not added */ }
      }
      rmSync(p, { force: true });
      removed.push(p);
    }
  }
  return removed;
}
