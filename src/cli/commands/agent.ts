/**
 * `bosun agent --server https://HOST:PORT --token TOKEN`: joins a machine to a cluster and runs its
 * node there. Steps: join (CA pinned by the token, node credentials into DATA_DIR/agent), wait for
 * the pod CIDR the control plane assigns (unless --pod-cidr), start the node as `bosun server` runs
 * its own (src/cluster/node.ts: containerd, node agent, service proxy, cluster DNS) with the agent's
 * HTTPS server on the serving certificate from the join, then host-gw routes to the other nodes'
 * pod CIDRs and the masquerade rule for traffic leaving the cluster.
 * Prints `bosun: node NAME joined URL` and `bosun: agent running`. SIGTERM/SIGINT stop the agent;
 * pods, routes and the masquerade rule stay (as after a kubelet stop) and are adopted on restart.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import { KubeClient } from '../../client/kube-client.js';
import { awaitPodCIDR } from '../../agent/join/await-pod-cidr.js';
import { joinCluster } from '../../agent/join/join-cluster.js';
import { firstIPv4 } from '../../agent/node/machine-info.js';
import { startClusterNode } from '../../cluster/node.js';
import { imageGCFlagsError, imageGCPolicyFromFlags, parseDurationFlag, parsePercentFlag } from '../../agent/images/image-gc-policy.js';

export interface AgentCommandOptions {
  server: string;
  token?: string;
  tokenFile?: string;
  nodeName?: string;
  nodeIp?: string;
  dataDir: string;
  podCidr?: string;
  agentPort: number;
  clusterCidr: string;
  serviceCidr: string;
  routes: boolean;
  cgroupRoot?: string;
  cniBridge?: string;
  clusterDnsPort: number;
  /** Image GC flags; absent ones take the kubelet's defaults (DEFAULT_IMAGE_GC_POLICY). */
  imageGcHighThreshold?: number;
  imageGcLowThreshold?: number;
  /** Milliseconds. */
  imageMinimumGcAge?: number;
  /** Milliseconds; 0 is off. */
  imageMaximumGcAge?: number;
}

/** One `bosun agent` option: the table both parsers (commander in main.ts, parseArgs in agentMain) read. */
interface AgentOption {
  /** Long flag, `--no-x` for a negatable boolean whose key is `x`. */
  flag: string;
  /** Placeholder of the value (`<url>`); none for a boolean flag. */
  value?: string;
  help: string;
  required?: boolean;
  default?: string | number;
  /** Value check and conversion; returns the error text for a bad value. */
  parse?: (v: string) => number | { error: string };
}

const port = (min: number) => (v: string): number | { error: string } => {
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= 65535 ? n : { error: `must be a port number (${min}-65535)` };
};

const DESCRIPTION = 'join a cluster and run this machine as one of its nodes';
const OPTIONS: AgentOption[] = [
  { flag: '--server', value: 'url', help: 'the server to join, https://HOST:PORT', required: true },
  { flag: '--token', value: 'token', help: 'join token (the server\'s DATA_DIR/token); also --token-file or BOSUN_TOKEN' },
  { flag: '--token-file', value: 'path', help: 'file holding the join token' },
  { flag: '--node-name', value: 'name', help: 'node name (default: the host name)' },
  { flag: '--node-ip', value: 'ip', help: 'InternalIP to advertise (default: the first non-loopback IPv4)' },
  { flag: '--data-dir', value: 'dir', help: 'where the node credentials, containerd and pod state live', default: '/var/lib/bosun' },
  { flag: '--pod-cidr', value: 'cidr', help: 'use this pod CIDR instead of waiting for the control plane to assign one' },
  { flag: '--agent-port', value: 'port', help: 'port of the agent\'s HTTPS server (logs, exec)', parse: port(1), default: 10250 },
  { flag: '--cluster-dns-port', value: 'port', help: 'port of this node\'s DNS server on its node IP (0: no DNS)', parse: port(0), default: 53 },
  { flag: '--cluster-cidr', value: 'cidr', help: 'the cluster\'s pod network (not masqueraded)', default: '10.42.0.0/16' },
  { flag: '--service-cidr', value: 'cidr', help: 'the cluster\'s service network (not masqueraded)', default: '10.43.0.0/16' },
  { flag: '--cni-bridge', value: 'name', help: 'Linux bridge of this machine\'s pod network (default bosun0; one per node when several share a network namespace)' },
  { flag: '--cgroup-root', value: 'path', help: 'cgroupfs parent of pod cgroups (default /bosun; one per agent when several share a machine)' },
  { flag: '--no-routes', help: 'do not program host-gw routes or the masquerade rule (another network plugin does)' },
  { flag: '--image-gc-high-threshold', value: 'percent', help: 'image filesystem usage at or above which unused images are removed; 100: never (default 85)', parse: parsePercentFlag },
  { flag: '--image-gc-low-threshold', value: 'percent', help: 'usage image garbage collection frees down to, below the high threshold (default 80)', parse: parsePercentFlag },
  { flag: '--image-minimum-gc-age', value: 'duration', help: 'an unused image younger than this is never removed (default 2m)', parse: parseDurationFlag },
  { flag: '--image-maximum-gc-age', value: 'duration', help: 'remove images unused this long whatever the disk usage; 0: never (default 0)', parse: parseDurationFlag },
];

const flagsOf = (o: AgentOption): string => (o.value ? `${o.flag} <${o.value}>` : o.flag);
/** The options key of a flag, as commander names it: `--node-ip` -> nodeIp, `--no-routes` -> routes. */
const keyOf = (o: AgentOption): string => o.flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Checks and converts the parsed flags (strings, keyed by keyOf) into AgentCommandOptions, with
 * commander's wording for a missing or bad value; `fail` reports and does not return.
 */
function finishOptions(raw: Record<string, unknown>, fail: (message: string) => never): AgentCommandOptions {
  const out: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const key = keyOf(o);
    let v = raw[key];
    // An absent boolean flag: true for a negatable --no-x (x is on unless turned off), else false.
    if (v === undefined) v = o.value ? o.default : o.flag.startsWith('--no-');
    if (v === undefined) {
      if (o.required) fail(`required option '${flagsOf(o)}' not specified`);
      continue;
    }
    if (o.parse && typeof v === 'string') {
      const parsed = o.parse(v);
      if (typeof parsed !== 'number') fail(`option '${flagsOf(o)}' argument '${v}' is invalid. ${parsed.error}`);
      v = parsed;
    }
    out[key] = v;
  }
  const gcError = imageGCFlagsError(out as Partial<AgentCommandOptions>);
  if (gcError) fail(gcError);
  return out as unknown as AgentCommandOptions;
}

async function readToken(o: AgentCommandOptions): Promise<string> {
  if (o.token) return o.token;
  if (o.tokenFile) return (await import('node:fs')).readFileSync(o.tokenFile, 'utf8').trim();
  if (process.env.BOSUN_TOKEN) return process.env.BOSUN_TOKEN;
  throw new Error('a join token is required: --token, --token-file or BOSUN_TOKEN (the server keeps it in its DATA_DIR/token)');
}

/** Runs the agent until a signal stops it. */
export async function runAgent(o: AgentCommandOptions): Promise<void> {
  const out = process.stdout;
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const nodeIP = o.nodeIp ?? firstIPv4();
  const joined = await joinCluster({
    server: o.server, token: await readToken(o), nodeName, dataDir: o.dataDir,
    addresses: [nodeIP, hostname().toLowerCase()],
  });
  out.write(`bosun: node ${nodeName} joined ${o.server}\n`);
  const client = KubeClient.fromKubeconfig(joined.kubeconfigPath, { userAgent: `bosun-agent/${nodeName}` });
  const podCIDR = o.podCidr ?? (await awaitPodCIDR({ client, nodeName }));
  out.write(`bosun: pod CIDR ${podCIDR}\n`);

  const node = await startClusterNode({
    client, dataDir: o.dataDir, nodeName, nodeIP, podCIDR, cgroupRoot: o.cgroupRoot, bridge: o.cniBridge,
    clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, dnsPort: o.clusterDnsPort, podNetwork: o.routes,
    imageGC: imageGCPolicyFromFlags(o),
    agentServer: { port: o.agentPort, tls: { cert: joined.serving.cert, key: joined.serving.key, clientCa: joined.caCert } },
  });
  out.write(`bosun: agent running (node ${nodeName}, ${node.node.agent.hostIP}, agent port ${node.node.server?.port ?? o.agentPort})\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out.write(`bosun: ${signal} received, stopping the agent (pods keep running; Service rules and routes are removed)\n`);
    (async () => {
      // A clean stop removes what this node programmed (Service rules, routes, masquerade), as
      // `bosun server` does for its own node; pods keep running and are adopted by the next start.
      // A crashed agent leaves everything in place, so traffic flows until it is back.
      await node.stop();
      client.close();
    })().then(
      () => process.exit(0),
      (err) => {
        console.error('bosun: error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export function registerAgentCommand(program: Command): void {
  const cmd = program.command('agent').description(DESCRIPTION);
  for (const o of OPTIONS) {
    if (o.required) cmd.requiredOption(flagsOf(o), o.help);
    else if (o.value) cmd.option(flagsOf(o), o.help, o.default as string | undefined);
    else cmd.option(flagsOf(o), o.help);
  }
  cmd.action(async (raw: Record<string, unknown>, c: Command) => {
    // Values stay strings for commander; the shared check converts them (and exits on a bad one).
    const strings = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
    await runAgent(finishOptions(strings, (m) => c.error(`error: ${m}`)));
  });
}

/** `bosun agent --help`, in commander's layout. */
function agentHelp(): string {
  const rows: Array<[string, string]> = OPTIONS.map((o) => [flagsOf(o), o.default === undefined ? o.help : `${o.help} (default: ${JSON.stringify(o.default)})`]);
  rows.push(['-h, --help', 'display help for command']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return `Usage: bosun agent [options]\n\n${DESCRIPTION}\n\nOptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n')}\n`;
}

/** Outcome of parsing `bosun agent` arguments with util.parseArgs: options, help text, or a usage error. */
export type AgentArgs = { options: AgentCommandOptions } | { help: string } | { error: string };

/** Parses the arguments after `bosun agent` (commander's wording for usage errors). */
export function parseAgentArgs(args: string[]): AgentArgs {
  let values: Record<string, unknown>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
    for (const o of OPTIONS) options[o.flag.slice(2)] = { type: o.value ? 'string' : 'boolean' };
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    const e = err as Error & { code?: string };
    const arg = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return { error: `unknown option '${arg}'` };
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return { error: `too many arguments for 'agent'. Expected 0 arguments but got 1.` };
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const o = OPTIONS.find((x) => e.message.includes(`--${x.flag.slice(2)} `) || e.message.includes(`--${x.flag.slice(2)}'`));
      return { error: o?.value ? `option '${flagsOf(o)}' argument missing` : e.message };
    }
    return { error: e.message };
  }
  if (values.help) return { help: agentHelp() };
  // parseArgs keys by flag name (`no-routes: true`); the shared check wants commander's keys (`routes: false`).
  const raw = Object.fromEntries(OPTIONS.filter((o) => values[o.flag.slice(2)] !== undefined)
    .map((o) => [keyOf(o), o.value ? values[o.flag.slice(2)] : !o.flag.startsWith('--no-')]));
  class UsageError extends Error {}
  try {
    return { options: finishOptions(raw, (m) => { throw new UsageError(m); }) };
  } catch (err) {
    if (err instanceof UsageError) return { error: err.message };
    throw err;
  }
}

/**
 * `bosun agent` as its own entry point (bin/bosun.js routes `bosun agent ...` here): a program with
 * only the agent command, so the agent process never loads the control plane (API server, store
 * backends, controllers, scheduler) that `bosun server` needs. That keeps the node's footprint to
 * what runs on it. It parses the flags with node's util.parseArgs from the same table commander
 * reads for `bosun --help`, rather than loading commander (~0.5 MiB of RSS on every node).
 */
export async function agentMain(argv: string[]): Promise<void> {
  const parsed = parseAgentArgs(argv.slice(3));
  if ('help' in parsed) {
    process.stdout.write(parsed.help);
    return;
  }
  if ('error' in parsed) {
    process.stderr.write(`error: ${parsed.error}\n`);
    process.exit(1);
  }
  try {
    await runAgent(parsed.options);
  } catch (err) {
    console.error(`bosun: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  }
}
