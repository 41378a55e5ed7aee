/**
 * The one flag table of `bosun server` and `bosun agent`, and the config file (as k3s's
 * /etc/rancher/k3s/config.yaml: every flag also a YAML key; flags given override the file).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAgentArgs } from '../commands/agent.js';
import { parseServerArgs, SERVER_COMMAND } from '../commands/server.js';
import { AGENT_COMMAND } from '../commands/agent.js';
import { NODE_FLAGS } from './node-flags.js';
import { helpOf } from './parse-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NO_FILE = { defaultConfigFile: join(dir, 'absent.yaml') };
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('server and agent take every node flag, with the same help line', () => {
  const server = helpOf(SERVER_COMMAND).split('\n');
  const agent = helpOf(AGENT_COMMAND).split('\n');
  for (const f of NODE_FLAGS) {
    const line = (lines: string[]) => lines.find((l) => l.startsWith(`  --${f.name} `) || l === `  --${f.name}`)?.replace(/^ {2}\S+(?: <\w+>)? +/, '');
    assert.ok(line(server), `server lacks --${f.name}`);
    assert.equal(line(server), line(agent), `--${f.name}`);
  }
});

test('--help shows defaults as typed: durations as 20s, not milliseconds', () => {
  const help = helpOf(SERVER_COMMAND);
  assert.match(help, /--node-monitor-grace-period <duration> +a node silent .* \(default: 20s\)/);
  assert.match(help, /--simulated-ready-delay <duration> .*\(default: 1s\)/);
  assert.doesNotMatch(help, /default: 20000/);
  const r = parseServerArgs(['--node-monitor-grace-period', '1m30s'], NO_FILE);
  assert.ok('options' in r);
  assert.equal(r.options.nodeMonitorGracePeriod, 90_000);
  const d = parseServerArgs([], NO_FILE);
  assert.ok('options' in d);
  assert.equal(d.options.nodeMonitorGracePeriod, 20_000);
  assert.equal(d.options.serviceCidr, '10.43.0.0/16');
  assert.equal(d.options.serviceNodePortRange, '30000-32767');
});

test('a config file gives every flag as a key; flags on the command line override it', () => {
  const cfg = file('server.yaml', [
    'data-dir: /srv/bosun', 'port: 7443', 'disable-agent: true', 'cluster-cidr: 10.100.0.0/16',
    'etcd-endpoints: [https://a:2379, https://b:2379]', 'node-monitor-grace-period: 40s', 'no-routes: true', '',
  ].join('\n'));
  const r = parseServerArgs(['--config', cfg, '--port', '8443'], NO_FILE);
  assert.ok('options' in r, JSON.stringify(r));
  assert.equal(r.options.dataDir, '/srv/bosun');
  assert.equal(r.options.port, 8443, 'the flag wins over the file');
  assert.equal(r.options.disableAgent, true);
  assert.equal(r.options.clusterCidr, '10.100.0.0/16');
  assert.deepEqual(r.options.etcdEndpoints, ['https://a:2379', 'https://b:2379']);
  assert.equal(r.options.nodeMonitorGracePeriod, 40_000);
  assert.equal(r.options.routes, false);
});

test('the default config file is read when present, and an agent takes its required --server from it', () => {
  const cfg = file('agent.yaml', 'server: https://10.0.0.1:6443\ntoken-file: /etc/bosun/token\n');
  const r = parseAgentArgs([], { defaultConfigFile: cfg });
  assert.ok('options' in r, JSON.stringify(r));
  assert.equal(r.options.server, 'https://10.0.0.1:6443');
  assert.equal(r.options.tokenFile, '/etc/bosun/token');
  const none = parseAgentArgs([], NO_FILE);
  assert.deepEqual(none, { error: "required option '--server <url>' not specified" });
});

test('bad config files are usage errors naming the file and key', () => {
  const cases: Array<[string, RegExp]> = [
    ['nodename: x\n', /config file .*bad0\.yaml: unknown key 'nodename'/],
    ['disable-agent: yes please\n', /'disable-agent' must be true or false/],
    ['port: {a: 1}\n', /'port' must be a string or number/],
    ['- a\n- b\n', /must be a mapping of flag names to values/],
    ['port: 99999\n', /option '--port <port>' argument '99999' is invalid/],
    ['data-dir: [unclosed\n', /config file .*bad5\.yaml: /],
  ];
  cases.forEach(([text, want], i) => {
    const r = parseServerArgs(['--config', file(`bad${i}.yaml`, text)], NO_FILE);
    assert.ok('error' in r, text);
    assert.match(r.error, want);
  });
  const missing = parseServerArgs(['--config', join(dir, 'nope.yaml')], NO_FILE);
  assert.ok('error' in missing);
  assert.match(missing.error, /cannot read config file .*nope\.yaml: ENOENT/);
});

test('a repeatable flag (kube-apiserver\'s StringArray --service-account-key-file) keeps every value, commas included', () => {
  const r = parseServerArgs(['--service-account-key-file', '/k/a.pub', '--service-account-key-file', '/k/b,c.pem', '--service-account-signing-key-file', '/k/s.key'], NO_FILE);
  assert.ok('options' in r, JSON.stringify(r));
  assert.deepEqual(r.options.serviceAccountKeyFile, ['/k/a.pub', '/k/b,c.pem']);
  assert.equal(r.options.serviceAccountSigningKeyFile, '/k/s.key');
  const cfg = file('sa-keys.yaml', 'service-account-key-file: [/k/old.pub, /k/new.pub]\n');
  const fromFile = parseServerArgs(['--config', cfg], NO_FILE);
  assert.ok('options' in fromFile, JSON.stringify(fromFile));
  assert.deepEqual(fromFile.options.serviceAccountKeyFile, ['/k/old.pub', '/k/new.pub']);
  const flagWins = parseServerArgs(['--config', cfg, '--service-account-key-file', '/k/only.pub'], NO_FILE);
  assert.ok('options' in flagWins);
  assert.deepEqual(flagWins.options.serviceAccountKeyFile, ['/k/only.pub'], 'the command line replaces the file\'s list');
  const none = parseServerArgs([], NO_FILE);
  assert.ok('options' in none);
  assert.equal(none.options.serviceAccountKeyFile, undefined);
});

test("kube-apiserver's request limits: --max-requests-inflight, --max-mutating-requests-inflight, --enable-priority-and-fairness=false (a Go bool's value, also from the config file)", () => {
  const none = parseServerArgs([], NO_FILE);
  assert.ok('options' in none);
  assert.deepEqual([none.options.maxRequestsInflight, none.options.maxMutatingRequestsInflight, none.options.enablePriorityAndFairness], [400, 200, true]);
  const off = parseServerArgs(['--enable-priority-and-fairness=false', '--max-requests-inflight', '10', '--max-mutating-requests-inflight=5'], NO_FILE);
  assert.ok('options' in off, JSON.stringify(off));
  assert.deepEqual([off.options.maxRequestsInflight, off.options.maxMutatingRequestsInflight, off.options.enablePriorityAndFairness], [10, 5, false]);
  const fromFile = parseServerArgs(['--config', file('apf-off.yaml', 'enable-priority-and-fairness: false\n')], NO_FILE);
  assert.ok('options' in fromFile, JSON.stringify(fromFile));
  assert.equal(fromFile.options.enablePriorityAndFairness, false);
  const bad = parseServerArgs(['--enable-priority-and-fairness=maybe'], NO_FILE);
  assert.ok('error' in bad);
  assert.match(bad.error, /must be true or false/);
});

test("kube-apiserver's --anonymous-auth: true unless =false (flag or config file)", () => {
  const none = parseServerArgs([], NO_FILE);
  assert.ok('options' in none);
  assert.equal(none.options.anonymousAuth, true);
  const off = parseServerArgs(['--anonymous-auth=false'], NO_FILE);
  assert.ok('options' in off, JSON.stringify(off));
  assert.equal(off.options.anonymousAuth, false);
  const fromFile = parseServerArgs(['--config', file('anon-off.yaml', 'anonymous-auth: false\n')], NO_FILE);
  assert.ok('options' in fromFile, JSON.stringify(fromFile));
  assert.equal(fromFile.options.anonymousAuth, false);
});

test('--ingress-default-ssl-certificate takes namespace/name (ingress-nginx\'s --default-ssl-certificate), on server and agent', () => {
  const r = parseAgentArgs(['--server', 'https://10.0.0.1:6443', '--ingress-default-ssl-certificate', 'kube-system/default-tls'], NO_FILE);
  assert.ok('options' in r, JSON.stringify(r));
  assert.equal(r.options.ingressDefaultSslCertificate, 'kube-system/default-tls');
  for (const bad of ['default-tls', 'kube-system/', 'Kube/x', 'a/b/c']) {
    const e = parseServerArgs(['--ingress-default-ssl-certificate', bad], NO_FILE);
    assert.ok('error' in e, bad);
    assert.match(e.error, /must be namespace\/name/);
  }
});
