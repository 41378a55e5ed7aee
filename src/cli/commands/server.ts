/**
 * `bosun server`: the whole control plane (API server, controllers, scheduler) on one data
 * directory, plus the node agent for this machine unless --disable-agent, and simulated nodes with
 * --simulated-nodes N. Prints where to point kubectl and a `bosun: listening on URL` line (tests read
 * the real port from it when started with --port 0). SIGTERM/SIGINT stop it cleanly with exit 0.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { imageGCFlagsError, imageGCPolicyFromFlags, parseDurationFlag, parsePercentFlag } from '../../agent/images/image-gc-policy.js';
import { startControlPlane, type ControlPlane } from '../../cluster/control-plane.js';
import { startEmbeddedNode } from '../../cluster/embedded-node.js';
import { configureServiceLb } from '../../controllers/service-lb/service-lb-controller.js';
import { parseDuration, parsePort, parseCount, parseChoice } from '../parse.js';

export interface ServerCommandOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  store: 'sqlite' | 'memory' | 'etcd';
  etcdEndpoints?: string;
  disableAgent?: boolean;
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
  nodeName?: string;
  nodeIp?: string;
  agentPort: number;
  clusterDnsPort: number;
  clusterCidr: string;
  podCidr?: string;
  cniBridge?: string;
  cgroupRoot?: string;
  proxyTable?: string;
  serviceLbPool?: string;
  simulatedNodes: number;
  simulatedNodeCpu: string;
  simulatedNodeMemory: string;
  simulatedNodePods: number;
  simulatedReadyDelay: number;
  simulatedHeartbeat: number;
  nodeMonitorGracePeriod: number;
  defaultTolerationSeconds: number;
  /** Image GC of this machine's node (absent: the kubelet's defaults). */
  imageGcHighThreshold?: number;
  imageGcLowThreshold?: number;
  imageMinimumGcAge?: number;
  imageMaximumGcAge?: number;
}

/** A flag check of the agent's table shape (number or {error}) as a commander parser. */
const commanderParser = (check: (v: string) => number | { error: string }) => (v: string): number => {
  const r = check(v);
  if (typeof r !== 'number') throw new InvalidArgumentError(r.error);
  return r;
};

/** Stops `stop` on the first SIGTERM/SIGINT and exits 0 (1 if shutdown fails). */
export function stopOnSignals(what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`bosun: ${signal} received, stopping ${what}\n`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error('bosun: error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

/** Runs the server until a signal stops it. */
export async function runServer(o: ServerCommandOptions): Promise<void> {
  const out = process.stdout;
  const gcError = imageGCFlagsError(o);
  if (gcError) throw new Error(gcError);
  configureServiceLb({ addressPool: o.serviceLbPool?.split(',').filter(Boolean) });
  const cp: ControlPlane = await startControlPlane({
    dataDir: o.dataDir, port: o.port, bindAddress: o.bindAddress, store: o.store,
    etcdEndpoints: o.etcdEndpoints?.split(',').filter(Boolean), clusterCidr: o.clusterCidr,
    disableScheduler: o.disableScheduler, disableControllerManager: o.disableControllerManager,
    nodeLifecycle: { gracePeriodMs: o.nodeMonitorGracePeriod, defaultTolerationSeconds: o.defaultTolerationSeconds },
    simulatedNodes: o.simulatedNodes > 0 ? {
      count: o.simulatedNodes, cpu: o.simulatedNodeCpu, memory: o.simulatedNodeMemory, pods: o.simulatedNodePods,
      readyDelayMs: o.simulatedReadyDelay, heartbeatMs: o.simulatedHeartbeat,
    } : undefined,
    log: (m) => out.write(`bosun: ${m}\n`),
  });
  const stops: Array<() => Promise<void>> = [() => cp.stop()];
  if (!o.disableAgent) {
    try {
      const node = await startEmbeddedNode(cp.api, { dataDir: o.dataDir, nodeName: o.nodeName, nodeIP: o.nodeIp, agentPort: o.agentPort,
        podCIDR: o.podCidr, bridge: o.cniBridge, cgroupRoot: o.cgroupRoot, dnsPort: o.clusterDnsPort, clusterCidr: o.clusterCidr,
        proxyTable: o.proxyTable, imageGC: imageGCPolicyFromFlags(o),
      });
      stops.push(() => node.stop());
      out.write(`bosun: node ${node.node.node.agent.nodeName} running (pod CIDR ${node.node.node.podCIDR})\n`);
    } catch (err) {
      await cp.stop();
      throw new Error(`cannot start this machine's node agent: ${(err as Error).message}\n(pass --disable-agent to run the control plane only)`);
    }
  }
  out.write(`bosun: kubeconfig written to ${cp.api.kubeconfigPath}\n`);
  if (cp.api.joinToken) out.write(`bosun: agents join with: bosun agent --server ${cp.api.url} --token-file ${o.dataDir}/token\n`);
  out.write(`bosun: try: kubectl --kubeconfig ${cp.api.kubeconfigPath} get ns\n`);
  out.write(`bosun: listening on ${cp.api.url}\n`);
  stopOnSignals('server', async () => {
    for (const s of stops.reverse()) await s();
  });
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the control plane (and, unless --disable-agent, this machine\'s node agent)')
    .option('--data-dir <dir>', 'where state, certificates and the kubeconfig live', '/var/lib/bosun')
    .option('--port <port>', 'HTTPS port (0 picks a free one)', parsePort, 6443)
    .option('--bind-address <addr>', 'address to listen on', '0.0.0.0')
    .option('--store <backend>', 'storage: sqlite (DATA_DIR/state.db), etcd, or memory (tests)', parseChoice(['sqlite', 'memory', 'etcd']), 'sqlite')
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs (with --store etcd)')
    .option('--disable-agent', 'run the control plane only')
    .option('--disable-scheduler', 'run no scheduler (as k3s: pods stay unscheduled unless something else binds them)')
    .option('--disable-controller-manager', 'run no built-in controllers (as k3s: e.g. to measure the API server alone)')
    .option('--node-name <name>', 'name of this machine\'s node (default: the hostname)')
    .option('--node-ip <ip>', 'InternalIP of this machine\'s node (default: the first non-loopback IPv4)')
    .option('--cluster-cidr <cidr>', 'pod network of the whole cluster', '10.42.0.0/16')
    .option('--cluster-dns-port <port>', 'port of this node\'s DNS server on its node IP (0: no DNS)', parsePort, 53)
    .option('--agent-port <port>', 'port of the node agent\'s server (logs, exec, port-forward)', parsePort, 10250)
    .option('--pod-cidr <cidr>', 'pod CIDR of this machine\'s node when the control plane has not assigned one')
    .option('--cni-bridge <name>', 'Linux bridge of this machine\'s pod network (default bosun0)')
    .option('--cgroup-root <path>', 'cgroupfs parent of pod cgroups (default /bosun)')
    .option('--service-lb-pool <addrs>', 'addresses the built-in load balancer gives LoadBalancer Services, one each (a.b.c.d, a.b.c.d-e.f.g.h or CIDR, comma-separated; default: the node addresses)')
    .option('--proxy-table <name>', 'nftables table of this node\'s service proxy (default bosun; one per node sharing a host)')
    .option('--simulated-nodes <n>', 'register N simulated nodes (no containers) for scale and control-plane tests', parseCount, 0)
    .option('--simulated-node-cpu <q>', 'CPU capacity of each simulated node', '8')
    .option('--simulated-node-memory <q>', 'memory capacity of each simulated node', '32Gi')
    .option('--simulated-node-pods <n>', 'pod capacity of each simulated node', parseCount, 110)
    .option('--simulated-ready-delay <d>', 'time for a simulated pod to go Running and Ready (e.g. 1s, 200ms)', parseDuration, 1000)
    .option('--simulated-heartbeat <d>', 'lease renewal period of simulated nodes', parseDuration, 5000)
    .option('--node-monitor-grace-period <d>', 'a node silent this long goes Unknown and gets the unreachable taint', parseDuration, 20_000)
    .option('--default-toleration-seconds <n>', 'how long pods without their own toleration stay on an unreachable or not-ready node', parseCount, 15)
    .option('--image-gc-high-threshold <percent>', 'image filesystem usage at or above which this node removes unused images; 100: never (default 85)', commanderParser(parsePercentFlag))
    .option('--image-gc-low-threshold <percent>', 'usage image garbage collection frees down to, below the high threshold (default 80)', commanderParser(parsePercentFlag))
    .option('--image-minimum-gc-age <duration>', 'an unused image younger than this is never removed (default 2m)', commanderParser(parseDurationFlag))
    .option('--image-maximum-gc-age <duration>', 'remove images unused this long whatever the disk usage; 0: never (default 0)', commanderParser(parseDurationFlag))
    .action(async (o: ServerCommandOptions) => {
      await runServer(o);
    });
}
