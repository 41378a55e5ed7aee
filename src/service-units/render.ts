/**
 * Service definitions that run `bosun server` or `bosun agent` at boot, as k3s's install script
 * writes them: a systemd unit (k3s.service: Type=notify there, Type=exec here as bosun does not
 * speak sd_notify; KillMode=process so that stopping the service leaves the pods, containerd and
 * shims running; Delegate=yes for the pod cgroups; no limits on files, processes, core) and an
 * OpenRC script (k3s's openrc-run script: supervise-daemon, respawn). Pure: the caller writes them.
 */

export interface ServiceSpec {
  /** `server` or `agent`. */
  role: 'server' | 'agent';
  /** Absolute path of node and of bin/bosun.js. */
  node: string;
  bin: string;
  /** The flags given to `bosun install-service`, passed on as they are. */
  flags: string[];
}

/** systemd's quoting of one ExecStart word: plain when safe, else double-quoted with escapes. */
function systemdWord(w: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

/** POSIX shell single quoting. */
const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

export const unitName = (role: ServiceSpec['role']): string => `bosun-${role}`;

export function renderSystemdUnit(s: ServiceSpec): string {
  const exec = [s.node, s.bin, s.role, ...s.flags].map(systemdWord).join(' ');
  return `[Unit]
Description=Bosun ${s.role === 'server' ? 'server (control plane and node)' : 'agent (node)'}
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=exec
EnvironmentFile=-/etc/default/${unitName(s.role)}
KillMode=process
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=${exec}
`;
}

/** OpenRC evaluates command_args as shell words: each is quoted, the whole in double quotes. */
export function renderOpenrcScript(s: ServiceSpec): string {
  const args = [s.bin, s.role, ...s.flags].map(shellWord).join(' ');
  return `#!/sbin/openrc-run
# Bosun ${s.role}, written by \`bosun install-service\`.

depend() {
    after network-online
    want cgroups
}

supervisor=supervise-daemon
name=${unitName(s.role)}
command=${shellWord(s.node)}
command_args="${args.replace(/[\\"$`]/g, '\\$&')}"
output_log=/var/log/${unitName(s.role)}.log
error_log=/var/log/${unitName(s.role)}.log
pidfile="/var/run/${unitName(s.role)}.pid"
respawn_delay=5
respawn_max=0

set -o allexport
if [ -f /etc/environment ]; then . /etc/environment; fi
if [ -f /etc/default/${unitName(s.role)} ]; then . /etc/default/${unitName(s.role)}; fi
set +o allexport
`;
}
