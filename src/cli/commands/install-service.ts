/**
 * `bosun install-service server|agent [--openrc] [FLAGS...]`: writes the service that runs
 * `bosun server|agent FLAGS...` at boot (a systemd unit; an OpenRC script too when /sbin/openrc-run
 * exists or with --openrc) and enables it where systemctl / rc-update run. The flags are checked
 * against the command's flag table first, so that a typo fails now and not at the next boot.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installService } from '../../service-units/install.js';
import { parseFlags } from '../flags/parse-flags.js';
import { AGENT_COMMAND } from './agent.js';
import { SERVER_COMMAND } from './server.js';

const USAGE = 'usage: bosun install-service server|agent [--openrc] [flags of that command...]';

/** bin/bosun.js of this installation (dist/cli/commands/ -> bin/, also from the sources under tsx). */
const BIN = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', 'bin', 'bosun.js');

export async function installServiceMain(args: string[], o: { root?: string } = {}): Promise<void> {
  const [role, ...rest] = args;
  if (role === '--help' || role === '-h') {
    process.stdout.write(`${USAGE}\n\nWrites the service that runs bosun at boot (systemd; OpenRC when /sbin/openrc-run exists or with --openrc) and enables it.\n`);
    return;
  }
  if (role !== 'server' && role !== 'agent') {
    process.stderr.write(`error: ${USAGE}\n`);
    process.exit(1);
  }
  const openrc = rest.includes('--openrc');
  const flags = rest.filter((a) => a !== '--openrc');
  // Checked as they will be read at boot, config file aside (it may not exist yet).
  const parsed = parseFlags(role === 'server' ? SERVER_COMMAND : AGENT_COMMAND, flags, { defaultConfigFile: '/nonexistent' });
  if ('error' in parsed || 'help' in parsed) {
    process.stderr.write(`error: ${'error' in parsed ? parsed.error : USAGE}\n`);
    process.exit(1);
  }
  const r = installService({ role, node: process.execPath, bin: BIN, flags }, { openrc, root: o.root });
  process.stdout.write(`bosun: wrote ${r.systemdUnit}\n`);
  if (r.openrcScript) process.stdout.write(`bosun: wrote ${r.openrcScript}\n`);
  for (const c of r.enabled) process.stdout.write(`bosun: ran ${c}\n`);
  if (r.enabled.length === 0) process.stdout.write('bosun: no running service manager here; enable the service when the machine boots with one\n');
}
