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
import { Command, InvalidArgumentError } from 'commander';
import { KubeClient } from '../../client/kube-client.js';
import { awaitPodCIDR } from '../../agent/join/await-pod-cidr.js';
import { joinCluster } from '../../agent/join/join-cluster.js';
import { firstIPv4 } from '../../agent/node/machine-info.js';
import { startClusterNode } from '../../cluster/node.js';

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
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number (1-65535)');
  return n;
}

function parseDnsPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
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
  program
    .command('agent')
    .description('join a cluster and run this machine as one of its nodes')
    .requiredOption('--server <url>', 'the server to join, https://HOST:PORT')
    .option('--token <token>', 'join token (the server\'s DATA_DIR/token); also --token-file or BOSUN_TOKEN')
    .option('--token-file <path>', 'file holding the join token')
    .option('--node-name <name>', 'node name (default: the host name)')
    .option('--node-ip <ip>', 'InternalIP to advertise (default: the first non-loopback IPv4)')
    .option('--data-dir <dir>', 'where the node credentials, containerd and pod state live', '/var/lib/bosun')
    .option('--pod-cidr <cidr>', 'use this pod CIDR instead of waiting for the control plane to assign one')
    .option('--agent-port <port>', 'port of the agent\'s HTTPS server (logs, exec)', parsePort, 10250)
    .option('--cluster-dns-port <port>', 'port of this node\'s DNS server on its node IP (0: no DNS)', parseDnsPort, 53)
    .option('--cluster-cidr <cidr>', 'the cluster\'s pod network (not masqueraded)', '10.42.0.0/16')
    .option('--service-cidr <cidr>', 'the cluster\'s service network (not masqueraded)', '10.43.0.0/16')
    .option('--cni-bridge <name>', 'Linux bridge of this machine\'s pod network (default bosun0; one per node when several share a network namespace)')
    .option('--cgroup-root <path>', 'cgroupfs parent of pod cgroups (default /bosun; one per agent when several share a machine)')
    .option('--no-routes', 'do not program host-gw routes or the masquerade rule (another network plugin does)')
    .action(async (o: AgentCommandOptions) => {
      await runAgent(o);
    });
}

/**
 * `bosun agent` as its own entry point (bin/bosun.js routes `bosun agent ...` here): a program with
 * only the agent command, so the agent process never loads the control plane (API server, store
 * backends, controllers, scheduler) that `bosun server` needs. That keeps the node's footprint to
 * what runs on it.
 */
export async function agentMain(argv: string[]): Promise<void> {
  const program = new Command('bosun').description('A small container orchestrator that speaks the Kubernetes API');
  registerAgentCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    console.error(`bosun: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  }
}
