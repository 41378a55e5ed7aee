/**
 * Services + EndpointSlices -> one nftables ruleset in Bosun's own table (pure), modelled on
 * upstream kube-proxy's nftables mode:
 *
 *   nat hooks     prerouting/output jump `services`: a verdict map from (ip . proto . port) to the
 *                 Service's chain, and (proto . nodePort) for packets to a node address.
 *   service-*     marks non-pod sources for masquerade, then spreads new connections evenly over
 *                 the ready endpoints: `dnat ip to numgen random mod N map { 0 : ip . port, ... }`.
 *                 With ClientIP affinity it takes upstream's per-endpoint form instead: a dynamic
 *                 set per endpoint, `ip saddr @affinity-.. goto endpoint-..`, then
 *                 `numgen random mod N vmap { 0 : goto endpoint-.., ... }`.
 *   external-*    NodePort / LoadBalancer / externalIPs entry: Cluster policy masquerades and goes to
 *                 the service chain; Local policy keeps the client address and uses local endpoints.
 *   firewall-*    loadBalancerSourceRanges: a LoadBalancer IP's new connections from other sources are
 *                 dropped in filter prerouting/output, before DNAT (`firewall-ips` map).
 *   filter hooks  Services without endpoints are rejected (TCP reset / ICMP port unreachable) before
 *                 NAT; a ClusterIP on a port no Service serves is rejected, the rest of the range dropped.
 *   postrouting   masquerades what was marked, and hairpin traffic (a pod that reached itself through
 *                 a Service: `ip saddr . ip daddr @hairpin`, one set instead of a rule per endpoint).
 *
 * Besides the text, the ruleset lists what each part contributes (chains with their rules, set and
 * map elements, affinity sets), which is what incremental applies diff (see apply/transaction.ts).
 */
import type { Backend, ProxyInput, ServicePortInfo } from './model.js';
import type { HealthCheck } from '../service-health.js';
import { servicePorts } from './model.js';
import { checkInput, type RefusedObject } from './checked-input.js';
import { cidrContains, parseCIDR } from '../../api/net/cidr.js';
import { canonicalIPv4, ipCompare, parseIP } from '../../api/net/ip.js';
import { DEFAULT_SERVICE_CIDR } from '../../api/defaults.js';
import { affinitySet, endpointChain, externalChain, firewallChain, localChain, MASQ_MARK, serviceChain, TABLE_NAME } from './names.js';

export interface Ruleset {
  /** The whole table definition, for `nft -f` after the table was deleted. */
  text: string;
  /** Everything but per-Service chains and elements: when it changes, applies are full. */
  base: string;
  /** Per-Service chains: name -> rules. */
  chains: Map<string, string[]>;
  /** Per-Service set and map elements: set name -> elements (`key` or `key : verdict`). */
  elements: Map<string, Set<string>>;
  /** ClientIP affinity sets: name -> timeout seconds (kept across applies so affinity survives). */
  affinitySets: Map<string, number>;
  /**
   * UDP frontends -> endpoint IPs, for clearing stale conntrack entries: `IP:port` for a ClusterIP,
   * external or LoadBalancer IP, `:nodePort` for a NodePort (on any node address).
   */
  udp: Map<string, Set<string>>;
  /**
   * TCP frontends -> endpoint IPs, for clearing unanswered connection attempts to a removed endpoint
   * (apply/conntrack.ts): a ClusterIP, external or LoadBalancer IP by IP alone, as upstream's
   * cleanup; `:nodePort` for a NodePort (on any node address).
   */
  tcp: Map<string, Set<string>>;
  /** The nftables table (`ip` family) the ruleset lives in; TABLE_NAME when unset. */
  table?: string;
  /** Objects left out because a field to be rendered was malformed (checked-input.ts). */
  refused: RefusedObject[];
  /** `namespace/name` -> health check node port and ready local endpoints summed over its ports (service-health.ts). */
  healthChecks: Map<string, HealthCheck>;
}


const BASE_CHAINS: [string, string, string[]][] = [
  ['filter-prerouting', 'type filter hook prerouting priority -110; policy accept;', ['ct state new jump firewall-check']],
  ['nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;', ['jump services']],
  ['nat-output', 'type nat hook output priority -100; policy accept;', ['jump services']],
  ['nat-postrouting', 'type nat hook postrouting priority srcnat; policy accept;', ['jump masquerading']],
  ['filter-input', 'type filter hook input priority -110; policy accept;', ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check']],
  ['filter-forward', 'type filter hook forward priority -110; policy accept;', ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check']],
  ['filter-output', 'type filter hook output priority -110; policy accept;', ['ct state new jump service-endpoints-check', 'ct state new jump firewall-check']],
  ['filter-output-post-dnat', 'type filter hook output priority -90; policy accept;', ['ct state new jump cluster-ips-check']],
];

/** Sets and maps of the base, in output order: name, kind, type, comment. */
const BASE_SETS: [string, 'set' | 'map', string, string][] = [
  ['cluster-ips', 'set', 'ipv4_addr', 'Active ClusterIPs'],
  ['nodeport-ips', 'set', 'ipv4_addr', 'IPs that accept NodePort traffic'],
  ['hairpin', 'set', 'ipv4_addr . ipv4_addr', 'endpoint . endpoint pairs: a pod reaching itself through a Service'],
  ['service-ips', 'map', 'ipv4_addr . inet_proto . inet_service : verdict', 'ClusterIP, ExternalIP and LoadBalancer IP traffic'],
  ['service-nodeports', 'map', 'inet_proto . inet_service : verdict', 'NodePort traffic'],
  ['no-endpoint-services', 'map', 'ipv4_addr . inet_proto . inet_service : verdict', 'vmap to drop or reject packets to services with no endpoints'],
  ['no-endpoint-nodeports', 'map', 'inet_proto . inet_service : verdict', 'vmap to drop or reject packets to service nodeports with no endpoints'],
  ['firewall-ips', 'map', 'ipv4_addr . inet_proto . inet_service : verdict', 'destinations that are subject to LoadBalancerSourceRanges'],
];

class Builder {
  readonly chains = new Map<string, string[]>();
  readonly elements = new Map<string, Set<string>>(BASE_SETS.map(([name]) => [name, new Set<string>()]));
  readonly affinity = new Map<string, number>();
  readonly udp = new Map<string, Set<string>>();
  readonly tcp = new Map<string, Set<string>>();

  chain(name: string, rules: string[]): void {
    this.chains.set(name, rules);
  }

  element(set: string, e: string): void {
    this.elements.get(set)!.add(e);
  }
}

/** `dnat ip to numgen random mod N map { 0 : ip . port, ... }`: an even spread, one rule. */
function spreadDnat(protocol: string, backends: Backend[]): string {
  const arms = backends.map((b, i) => `${i} : ${b.ip} . ${b.port}`).join(', ');
  return `meta l4proto ${protocol} dnat ip to numgen random mod ${backends.length} map { ${arms} }`;
}

/** Rules that pick an endpoint: one DNAT, or affinity lookups then a vmap to endpoint chains. */
function pickRules(b: Builder, sp: ServicePortInfo, backends: Backend[]): string[] {
  if (sp.affinitySeconds === undefined) return [spreadDnat(sp.protocol, backends)];
  const rules = backends.map((e) => `ip saddr @${affinitySet(sp.id, e)} goto ${endpointChain(sp.id, e)}`);
  const arms = backends.map((e, i) => `${i} : goto ${endpointChain(sp.id, e)}`).join(', ');
  rules.push(`numgen random mod ${backends.length} vmap { ${arms} }`);
  for (const e of backends) {
    b.affinity.set(affinitySet(sp.id, e), sp.affinitySeconds);
    b.chain(endpointChain(sp.id, e), [`update @${affinitySet(sp.id, e)} { ip saddr }`, `meta l4proto ${sp.protocol} dnat to ${e.ip}:${e.port}`]);
  }
  return rules;
}

/**
 * loadBalancerSourceRanges (upstream usesFWChain): new connections to a LoadBalancer IP from outside
 * the ranges are dropped before DNAT, only while the Service has endpoints (else it is rejected). When
 * a range holds a node address, the LoadBalancer IPs are allowed as sources too: a node that has the
 * VIP as a local address reaches it from the VIP itself.
 */
function renderFirewall(b: Builder, sp: ServicePortInfo, input: ProxyInput): void {
  if (!sp.anyEndpoints || sp.loadBalancerIPs.length === 0 || sp.sourceRanges.length === 0) return;
  const ranges = sp.sourceRanges.map((r) => parseCIDR(r)!);
  const nodeIPs = input.nodeIPs.map((ip) => parseIP(ip)).filter((ip) => ip?.family === 4);
  const allowFromNode = ranges.some((r) => nodeIPs.some((ip) => cidrContains(r, ip!)));
  const sources = [...sp.sourceRanges, ...(allowFromNode ? sp.loadBalancerIPs : [])];
  const chain = firewallChain(sp.id);
  b.chain(chain, [`ip saddr != { ${sources.join(', ')} } drop`]);
  for (const ip of sp.loadBalancerIPs) b.element('firewall-ips', `${ip} . ${sp.protocol} . ${sp.port} : goto ${chain}`);
}

function renderServicePort(b: Builder, sp: ServicePortInfo, input: ProxyInput): void {
  const svcChain = serviceChain(sp.id);
  const extChain = externalChain(sp.id);
  const locChain = localChain(sp.id);
  // Upstream's cluster policy chain (service-*) spreads over every usable endpoint, its local policy
  // chain (local-*) over this node's; ClusterIP traffic takes the one internalTrafficPolicy names.
  const internalChain = sp.internalLocal ? locChain : svcChain;
  const hasExternal = sp.nodePort !== undefined || sp.externalIPs.length > 0;
  const noEndpoints = (backends: Backend[]): string | undefined =>
    backends.length > 0 ? undefined : sp.anyEndpoints ? 'drop' : 'goto reject-chain';

  if (sp.clusterIP) {
    b.element('cluster-ips', sp.clusterIP);
    const key = `${sp.clusterIP} . ${sp.protocol} . ${sp.port}`;
    const v = noEndpoints(sp.clusterEndpoints);
    b.element(v ? 'no-endpoint-services' : 'service-ips', `${key} : ${v ?? `goto ${internalChain}`}`);
  }
  // External destinations go to the external chain whenever the Service has endpoints at all, as
  // upstream's usesExternalTrafficChain: with Local policy and none here, pods and the node still
  // reach the Service through it (short-circuit); the filter drops what comes from outside.
  if (hasExternal) {
    const v = noEndpoints(sp.externalEndpoints);
    const target = `goto ${extChain}`;
    for (const ip of sp.externalIPs) {
      const key = `${ip} . ${sp.protocol} . ${sp.port}`;
      if (sp.anyEndpoints) b.element('service-ips', `${key} : ${target}`);
      if (v) b.element('no-endpoint-services', `${key} : ${v}`);
    }
    if (sp.nodePort !== undefined) {
      const key = `${sp.protocol} . ${sp.nodePort}`;
      if (sp.anyEndpoints) b.element('service-nodeports', `${key} : ${target}`);
      if (v) b.element('no-endpoint-nodeports', `${key} : ${v}`);
    }
  }
  const usesExternal = hasExternal && sp.anyEndpoints;
  const usesCluster = sp.allEndpoints.length > 0 && ((!!sp.clusterIP && !sp.internalLocal) || usesExternal);
  const usesLocal = sp.localEndpoints.length > 0 && ((!!sp.clusterIP && sp.internalLocal) || (usesExternal && sp.externalLocal));

  if (sp.protocol === 'udp' || sp.protocol === 'tcp') {
    const byFrontend = b[sp.protocol];
    const ips = [...(sp.clusterIP ? [sp.clusterIP] : []), ...sp.externalIPs];
    // UDP flows are told apart by IP and port, TCP attempts by IP; a NodePort's by port alone (apply/conntrack.ts).
    const nodePort = sp.nodePort !== undefined ? [`:${sp.nodePort}`] : [];
    const frontends = sp.protocol === 'tcp' ? [...ips, ...nodePort] : [...ips.map((ip) => `${ip}:${sp.port}`), ...nodePort];
    const reached = [...sp.clusterEndpoints, ...(usesExternal ? sp.allEndpoints : [])];
    for (const f of frontends) {
      let set = byFrontend.get(f);
      if (!set) byFrontend.set(f, (set = new Set()));
      for (const e of reached) set.add(e.ip);
    }
  }
  renderFirewall(b, sp, input);

  // The ClusterIP's masquerade rule leads the chain its traffic enters.
  const clusterIPRules: string[] = [];
  if (sp.clusterIP && sp.clusterEndpoints.length > 0) {
    const match = `ip daddr ${sp.clusterIP} ${sp.protocol} dport ${sp.port}`;
    if (input.masqueradeAll) clusterIPRules.push(`${match} jump mark-for-masquerade`);
    else if (input.clusterCidr) clusterIPRules.push(`${match} ip saddr != ${input.clusterCidr} jump mark-for-masquerade`);
  }
  for (const [used, chain, backends] of [[usesCluster, svcChain, sp.allEndpoints], [usesLocal, locChain, sp.localEndpoints]] as const) {
    if (!used) continue;
    for (const e of backends) b.element('hairpin', `${e.ip} . ${e.ip}`);
    b.chain(chain, [...(chain === internalChain ? clusterIPRules : []), ...pickRules(b, sp, backends)]);
  }
  if (!usesExternal) return;
  if (!sp.externalLocal) {
    b.chain(extChain, ['jump mark-for-masquerade', `goto ${svcChain}`]);
    return;
  }
  // Local: pods and the node itself still reach every endpoint; outside clients keep their address
  // and reach only this node's endpoints (none here: the filter dropped them before NAT).
  const rules: string[] = [];
  if (input.clusterCidr) rules.push(`ip saddr ${input.clusterCidr} goto ${svcChain}`);
  rules.push('fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${svcChain}`);
  if (usesLocal) rules.push(`goto ${locChain}`);
  b.chain(extChain, rules);
}

function sortedElements(set: string, elems: Set<string>): string[] {
  const list = [...elems];
  if (set === 'cluster-ips' || set === 'nodeport-ips') return list.sort(ipCompare);
  return list.sort();
}

export function renderRuleset(raw: ProxyInput): Ruleset {
  const { input, refused } = checkInput(raw);
  const b = new Builder();
  const healthChecks = new Map<string, HealthCheck>();
  for (const sp of servicePorts(input)) {
    renderServicePort(b, sp, input);
    if (sp.healthCheckNodePort === undefined) continue;
    const key = sp.id.split('/').slice(0, 2).join('/');
    const hc = healthChecks.get(key);
    healthChecks.set(key, { port: sp.healthCheckNodePort, localEndpoints: (hc?.localEndpoints ?? 0) + sp.localReadyEndpoints });
  }
  const serviceCidr = input.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const nodeIPs = [...new Set(input.nodeIPs.map(canonicalIPv4))].filter((ip): ip is string => !!ip).sort(ipCompare);

  const staticChains: [string, string[], string?][] = [
    ...BASE_CHAINS.map(([name, hook, rules]): [string, string[], string] => [name, rules, hook]),
    ['mark-for-masquerade', [`meta mark set meta mark or ${MASQ_MARK}`]],
    ['masquerading', [
      'ct status dnat ip saddr . ip daddr @hairpin masquerade fully-random',
      `meta mark & ${MASQ_MARK} == 0 return`, `meta mark set meta mark xor ${MASQ_MARK}`, 'masquerade fully-random',
    ]],
    ['services', ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports']],
    ['service-endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services']],
    ['nodeport-endpoints-check', ['ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports']],
    ['firewall-check', ['ip daddr . meta l4proto . th dport vmap @firewall-ips']],
    ['reject-chain', ['meta l4proto tcp reject with tcp reset', 'reject']],
    ['cluster-ips-check', ['ip daddr @cluster-ips reject', `ip daddr ${serviceCidr} drop`]],
  ];

  const table = input.table ?? TABLE_NAME;
  const out: string[] = [`table ip ${table} {`, '\tcomment "rules for bosun services"', ''];
  const chainText = (name: string, rules: string[], hook?: string): void => {
    out.push(`\tchain ${name} {`);
    if (hook) out.push(`\t\t${hook}`);
    for (const r of rules) out.push(`\t\t${r}`);
    out.push('\t}', '');
  };
  const setText = (name: string, kind: string, type: string, comment: string, elements: string[]): void => {
    out.push(`\t${kind} ${name} {`, `\t\ttype ${type}`, `\t\tcomment ${JSON.stringify(comment)}`);
    if (elements.length > 0) {
      out.push('\t\telements = {');
      elements.forEach((e, i) => out.push(`\t\t\t${e}${i < elements.length - 1 ? ',' : ''}`));
      out.push('\t\t}');
    }
    out.push('\t}', '');
  };
  for (const [name, rules, hook] of staticChains) chainText(name, rules, hook);
  const baseStart = out.length;
  for (const [name, kind, type, comment] of BASE_SETS) {
    setText(name, kind, type, comment, name === 'nodeport-ips' ? nodeIPs : sortedElements(name, b.elements.get(name)!));
  }
  // The base is everything static: the chains above, the set declarations and the node addresses.
  const base = [...out.slice(0, baseStart), ...BASE_SETS.map(([n, k, t]) => `${k} ${n} ${t}`), `nodeport-ips ${nodeIPs.join(',')}`].join('\n');
  for (const [name, timeout] of [...b.affinity].sort(([x], [y]) => (x < y ? -1 : 1))) {
    out.push(`\tset ${name} {`, '\t\ttype ipv4_addr', '\t\tflags dynamic,timeout', `\t\ttimeout ${timeout}s`, '\t}', '');
  }
  for (const [name, rules] of b.chains) chainText(name, rules);
  while (out[out.length - 1] === '') out.pop();
  out.push('}', '');
  b.elements.delete('nodeport-ips');
  return { text: out.join('\n'), base, chains: b.chains, elements: b.elements, affinitySets: b.affinity, udp: b.udp, tcp: b.tcp, table, refused, healthChecks };
}
