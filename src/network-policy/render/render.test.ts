/**
 * Table-driven tests of the pure NetworkPolicy render (policy + pods + namespaces -> ruleset text),
 * as src/proxy/render/render.test.ts; semantics as upstream's NetworkPolicy API reference
 * (k8s.io/api/networking/v1 types.go comments) and kube-router's controller. The last case checks
 * the rendered text with `nft -c` when nft can run (root).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Namespace } from '../../api/kinds/core/namespace.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { NetworkPolicy } from '../../api/kinds/networking/network-policy.js';
import { destinationSet, egressChain, namedPortSet, podChain, renderPolicyRuleset, sourceSet } from './ruleset.js';

const NODE = 'n1';
function pod(ns: string, name: string, ip: string, labels: Record<string, string>, o: { node?: string; ports?: { name: string; containerPort: number; protocol?: string }[]; hostNetwork?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels },
    spec: { nodeName: o.node ?? NODE, hostNetwork: o.hostNetwork, containers: [{ name: 'c', image: 'x', ports: o.ports }] },
    status: { phase: 'Running', podIP: ip },
  } as Pod;
}
const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } }) as Namespace;
const policy = (namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec }) as NetworkPolicy;

const server = pod('app', 'server', '10.42.0.10', { app: 'server' }, { ports: [{ name: 'http', containerPort: 8080 }] });
const client = pod('app', 'client', '10.42.0.11', { role: 'client' });
const other = pod('app', 'other', '10.42.0.12', {});
const farClient = pod('app', 'far', '10.42.1.5', { role: 'client' }, { node: 'n2' });
const monitor = pod('mon', 'prom', '10.42.1.9', { role: 'client' }, { node: 'n2', ports: [{ name: 'http', containerPort: 9090 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] });
const PODS = [server, client, other, farClient, monitor];
const NAMESPACES = [ns('app'), ns('mon', { team: 'ops' })];
const base = { pods: PODS, namespaces: NAMESPACES, nodeName: NODE, table: 'bosun-np', nodeIPs: ['192.168.5.1', '10.42.0.1'] };
const chain = (text: string, key: string, name = podChain): string[] => {
  const start = text.indexOf(`\tchain ${name(key)} {\n`);
  if (start < 0) return [];
  return text.slice(start).split('\n\t}')[0]!.split('\n').slice(1).map((l) => l.trim());
};

/** The elements of set `name` in `text`, or undefined when there is no such set. */
const setElements = (text: string, name: string): string[] | undefined => {
  const m = new RegExp(`\\tset ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\{\\n\\t\\ttype [^\\n]+\\n\\t\\telements = \\{ ([^}]*) \\}`).exec(text);
  return m ? m[1]!.split(', ') : undefined;
};

interface Case { name: string; policies: NetworkPolicy[]; isolated: string[]; serverChain?: string[]; sets?: Record<string, string[]> }
const srcSet = (rule = 0, p = 'app/allow'): string => `@${sourceSet(p, rule)}`;
const NODE_OK = 'ip saddr { 10.42.0.1, 192.168.5.1 } accept';
// Every isolated pod's chain ends in a counted drop: drop-counters.ts reads what the policy denied.

const CASES: Case[] = [
  { name: 'no policy: nothing isolated, the vmap is empty', policies: [], isolated: [] },
  { name: 'empty rule list denies all but the node', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] })], isolated: ['app/server'], serverChain: [NODE_OK, 'counter drop'] },
  { name: 'podSelector peer on a numeric port: the labelled pods of the policy namespace, any node', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] })],
    isolated: ['app/server'], serverChain: [NODE_OK, `ip saddr ${srcSet()} tcp dport 8080 accept`, 'counter drop'], sets: { [sourceSet('app/allow', 0)]: ['10.42.0.11', '10.42.1.5'] } },
  { name: 'named port resolved on the target pod; a name it lacks matches nothing', policies: [policy('app', 'allow', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }] })],
    isolated: ['app/client', 'app/other', 'app/server'], serverChain: [NODE_OK, 'tcp dport 8080 accept', 'counter drop'] },
  { name: 'namespaceSelector alone: every pod of the selected namespaces', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] })],
    isolated: ['app/server'], serverChain: [NODE_OK, `ip saddr ${srcSet()} accept`, 'counter drop'], sets: { [sourceSet('app/allow', 0)]: ['10.42.1.9'] } },
  { name: 'podSelector and namespaceSelector in one peer: both must match', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }] }] })],
    isolated: ['app/server'], serverChain: [NODE_OK, `ip saddr ${srcSet()} accept`, 'counter drop'], sets: { [sourceSet('app/allow', 0)]: ['10.42.0.11', '10.42.1.5', '10.42.1.9'] } },
  { name: 'ipBlock with except, UDP and SCTP ports, an endPort range', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '172.16.0.1/12', except: ['172.16.5.0/24'] } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 9000, endPort: 9010 }] }] })],
    isolated: ['app/server'], serverChain: [NODE_OK, 'ip saddr 172.16.0.0/12 ip saddr != { 172.16.5.0/24 } udp dport 53 accept', 'ip saddr 172.16.0.0/12 ip saddr != { 172.16.5.0/24 } sctp dport 9000-9010 accept', 'counter drop'] },
  { name: 'empty from and no ports: all traffic (a rule {} allows everything)', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{}] })], isolated: ['app/server'], serverChain: [NODE_OK, 'accept', 'counter drop'] },
  { name: 'a selector peer selecting no pod allows nothing; a port without number is the whole protocol', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'nobody' } } }] }, { ports: [{ protocol: 'UDP' }] }] })],
    isolated: ['app/server'], serverChain: [NODE_OK, 'meta l4proto udp accept', 'counter drop'] },
  { name: 'Egress-only policies and policies of other namespaces do not isolate for ingress', policies: [policy('app', 'allow', { podSelector: {}, policyTypes: ['Egress'] }), policy('mon', 'allow', { podSelector: {}, ingress: [] })], isolated: [] },
  { name: 'policies add up (union of their rules)', policies: [policy('app', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ ports: [{ port: 80 }] }] }), policy('app', 'more', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] })],
    isolated: ['app/client', 'app/other', 'app/server'], serverChain: [NODE_OK, 'tcp dport 80 accept', 'tcp dport 443 accept', 'counter drop'] },
];

describe('network policy render', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = renderPolicyRuleset({ ...base, policies: c.policies });
      assert.deepEqual(r.isolated, c.isolated);
      // Only this node's pods are ever isolated here: n2's pods are judged by n2.
      assert.doesNotMatch(r.text, /10\.42\.1\.\d+ : jump/);
      for (const key of c.isolated) assert.match(r.text, new RegExp(`${PODS.find((p) => `${p.metadata!.namespace}/${p.metadata!.name}` === key)!.status!.podIP!.replaceAll('.', '\\.')} : jump ${podChain(key)}`));
      if (c.serverChain) assert.deepEqual(chain(r.text, 'app/server'), c.serverChain);
      for (const [set, ips] of Object.entries(c.sets ?? {})) assert.match(r.text, new RegExp(`set ${set} \\{\\n\\t\\ttype ipv4_addr\\n\\t\\telements = \\{ ${ips.join(', ').replaceAll('.', '\\.')} \\}`));
    });
  }

  it('egress: a policy with policyTypes Egress isolates the pods it selects; destinations, ports and DNS as written', () => {
    const allowWeb = policy('app', 'out', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [
      { to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 'http' }] },
      { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.42.0.0/16'] } }] },
    ] });
    const r = renderPolicyRuleset({ ...base, policies: [allowWeb] });
    assert.deepEqual(r.isolated, [], 'Egress only: ingress untouched');
    assert.deepEqual(r.egressIsolated, ['app/client'], 'n2\'s labelled pod is n2\'s business');
    assert.match(r.text, /map egress-isolated \{\n\t\ttype ipv4_addr : verdict\n\t\telements = \{ 10\.42\.0\.11 : jump egress-/);
    // A named port in egress is each destination pod's own: with `to` empty, every pod of the cluster declaring it (Calico's all()).
    assert.deepEqual(chain(r.text, 'app/client', egressChain), [`ip daddr @${destinationSet('app/out', 0)} tcp dport 8080 return`, 'udp dport 53 return', `ip daddr . meta l4proto . th dport @${namedPortSet('app/out', 1)} return`, 'ip daddr 10.0.0.0/8 ip daddr != { 10.42.0.0/16 } return', 'counter drop']);
    assert.deepEqual(setElements(r.text, namedPortSet('app/out', 1)), ['10.42.0.10 . tcp . 8080', '10.42.1.9 . tcp . 9090']);
    assert.match(r.text, new RegExp(`set ${destinationSet('app/out', 0)} \\{\\n\\t\\ttype ipv4_addr\\n\\t\\telements = \\{ 10\\.42\\.0\\.10 \\}`));
    // Checked before the ingress map, in forward and for packets to the node (DNS on the node address).
    assert.match(r.text, /ct state established,related accept\n\t\tip saddr vmap @egress-isolated\n\t\tip daddr vmap @isolated\n/);
    assert.match(r.text, /hook input priority filter; policy accept;\n\t\tct state established,related accept\n\t\tip saddr vmap @egress-isolated\n/);
    const denyAll = renderPolicyRuleset({ ...base, policies: [policy('app', 'out', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })] });
    assert.deepEqual(denyAll.egressIsolated, ['app/client', 'app/other', 'app/server']);
    assert.deepEqual(chain(denyAll.text, 'app/server', egressChain), ['counter drop']);
    assert.deepEqual(chain(denyAll.text, 'app/server'), [NODE_OK, 'counter drop']);
  });

  it('egress named ports: resolved on each destination pod the rule\'s `to` reaches (selectors, ipBlocks), by name and protocol; pods come and go', () => {
    const named = policy('app', 'named', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [
      { to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
      { to: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ protocol: 'TCP', port: 'http' }, { protocol: 'UDP', port: 'http' }, { protocol: 'UDP', port: 'dns' }] },
      { to: [{ ipBlock: { cidr: '10.42.0.0/16', except: ['10.42.1.0/24'] } }], ports: [{ protocol: 'TCP', port: 'http' }] },
      { to: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 'nope' }, { protocol: 'TCP', port: 443 }] },
    ] });
    const r = renderPolicyRuleset({ ...base, policies: [named] });
    assert.deepEqual(chain(r.text, 'app/client', egressChain), [
      `ip daddr . meta l4proto . th dport @${namedPortSet('app/named', 0)} return`,
      `ip daddr . meta l4proto . th dport @${namedPortSet('app/named', 1)} return`,
      // The ipBlock rule's numeric ports are none, so the block itself allows nothing but its pods' named ports.
      `ip daddr . meta l4proto . th dport @${namedPortSet('app/named', 2)} return`,
      // A name no reachable pod declares matches nothing; the rule's numeric port still counts.
      `ip daddr @${destinationSet('app/named', 3)} tcp dport 443 return`,
      'counter drop',
    ]);
    assert.deepEqual(setElements(r.text, namedPortSet('app/named', 0)), ['10.42.0.10 . tcp . 8080'], 'the selected server\'s http');
    assert.deepEqual(setElements(r.text, namedPortSet('app/named', 1)), ['10.42.1.9 . tcp . 9090', '10.42.1.9 . udp . 5353'], 'the ops namespace\'s pod: http on TCP, dns on UDP; http on UDP nowhere');
    assert.deepEqual(setElements(r.text, namedPortSet('app/named', 2)), ['10.42.0.10 . tcp . 8080'], 'the pods inside the block but outside its except');
    assert.equal(setElements(r.text, namedPortSet('app/named', 3)), undefined, 'no set for a name nobody has');
    // A new pod declaring the name joins the set at the next render; a finished one leaves it.
    const web2 = pod('app', 'server-2', '10.42.0.13', { app: 'server' }, { node: 'n2', ports: [{ name: 'http', containerPort: 8081 }] });
    const more = renderPolicyRuleset({ ...base, pods: [...PODS, web2], policies: [named] });
    assert.deepEqual(setElements(more.text, namedPortSet('app/named', 0)), ['10.42.0.10 . tcp . 8080', '10.42.0.13 . tcp . 8081']);
    const gone = renderPolicyRuleset({ ...base, pods: [...PODS.filter((p) => p !== server), { ...web2, status: { phase: 'Succeeded', podIP: '10.42.0.13' } } as Pod], policies: [named] });
    assert.equal(setElements(gone.text, namedPortSet('app/named', 0)), undefined);
    assert.deepEqual(chain(gone.text, 'app/client', egressChain)[0], `ip daddr . meta l4proto . th dport @${namedPortSet('app/named', 1)} return`);
  });

  it('IPv6 ipBlocks are refused (the pod network is IPv4: no packet judged can match one), named in `ignored`; IPv4 peers of the same rule stay', () => {
    const v6 = policy('app', 'v6', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }, { ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 80 }] }, { from: [{ ipBlock: { cidr: '::/0' } }] }],
      egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8' } }] }] });
    const r = renderPolicyRuleset({ ...base, policies: [v6] });
    assert.deepEqual(chain(r.text, 'app/server'), [NODE_OK, 'ip saddr 192.168.0.0/16 tcp dport 80 accept', 'counter drop'], 'the v6 blocks allow nothing, not everything');
    assert.deepEqual(chain(r.text, 'app/server', egressChain), ['counter drop']);
    assert.doesNotMatch(r.text, /ip6|2001:db8|fd00|::\/0/);
    assert.deepEqual(r.ignored, ['app/v6: ingress rule 0: ipBlock 2001:db8::/32', 'app/v6: ingress rule 1: ipBlock ::/0', 'app/v6: egress rule 0: ipBlock fd00::/8']);
    assert.deepEqual(renderPolicyRuleset({ ...base, policies: CASES[6]!.policies }).ignored, [], 'IPv4 blocks are rendered, nothing ignored');
  });

  it('leaves host-network, finished and address-less pods alone', () => {
    const pods = [pod('app', 'h', '192.168.5.1', { app: 'server' }, { hostNetwork: true }), { ...pod('app', 'done', '10.42.0.20', { app: 'server' }), status: { phase: 'Succeeded', podIP: '10.42.0.20' } } as Pod, { ...pod('app', 'new', '', { app: 'server' }), status: { phase: 'Pending' } } as Pod];
    const r = renderPolicyRuleset({ ...base, pods, policies: [policy('app', 'allow', { podSelector: {} })] });
    assert.deepEqual(r.isolated, []);
  });

  it('is deterministic whatever the input order', () => {
    const policies = CASES[5]!.policies;
    assert.equal(renderPolicyRuleset({ ...base, policies }).text, renderPolicyRuleset({ ...base, policies, pods: [...PODS].reverse(), namespaces: [...NAMESPACES].reverse() }).text);
  });

  it('every case is a ruleset nft accepts (nft -c)', (t) => {
    if (process.getuid?.() !== 0) return t.skip('nft -c needs root');
    const egress = policy('app', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80, endPort: 90 }] }] });
    const named = policy('app', 'named', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP', port: 7 }] }, { ports: [{ port: 'http' }] }] });
    for (const c of [...CASES, { policies: [egress, named, ...CASES[2]!.policies] }]) {
      const r = renderPolicyRuleset({ ...base, policies: c.policies, table: `bosun-np-check-${process.pid}` });
      // -c: checked against the kernel, nothing committed, so there is nothing to clean up.
      execFileSync('nft', ['-c', '-f', '-'], { input: r.text });
    }
  });
});
