/**
 * Test hosts made of network namespaces: hosts reach each other (ICMP and HTTP), the root namespace
 * reaches them, a killed host is unreachable, and teardown leaves no namespace, link, process or
 * nftables table behind.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHosts, sweepStaleTestHosts, type TestHosts } from './test-hosts.js';
import { eventuallyWith } from './eventually.js';

let th: TestHosts | undefined;
const www = mkdtempSync(join(tmpdir(), 'bosun-th-'));
after(async () => {
  await th?.teardown();
  rmSync(www, { recursive: true, force: true });
});

const links = (): string => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
const netnsList = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

const until = eventuallyWith({ intervalMs: 50 });

test('two hosts talk over the test bridge; teardown removes everything', async () => {
  th = await createTestHosts({ hosts: ['n1', 'n2'] });
  const [n1, n2] = [th.host('n1'), th.host('n2')];
  assert.match(th.bridge, /^bzh[0-9a-f]{5}$/);
  assert.match(th.subnet, /^172\.31\.\d{1,3}\.0\/24$/);
  assert.notEqual(n1.ip, n2.ip);
  assert.match(netnsList(), new RegExp(`${th.prefix}-n1`));

  const ping = await th.runInHost(n1, ['busybox', 'ping', '-c', '1', '-W', '2', n2.ip]);
  assert.equal(ping.code, 0, ping.stderr + ping.stdout);
  assert.equal((await th.runInHost(n2, ['busybox', 'ping', '-c', '1', '-W', '2', n1.ip])).code, 0);
  // Each host is its own network: n1's address is not on n2.
  assert.doesNotMatch((await th.runInHost(n2, 'ip -4 addr show')).stdout, new RegExp(n1.ip.replace(/\./g, '\\.') + '/'));

  writeFileSync(join(www, 'index.html'), 'hello from n1\n');
  const httpd = th.spawnInHost(n1, 'busybox', ['httpd', '-f', '-p', `${n1.ip}:8080`, '-h', www]);
  const get = () => th!.runInHost(n2, ['curl', '-sS', '--max-time', '2', `http://${n1.ip}:8080/index.html`]);
  await until(async () => (await get()).code === 0, 'httpd in n1');
  assert.equal((await get()).stdout, 'hello from n1\n');
  // Not listening in the root namespace: the server is inside n1 only.
  assert.notEqual((await th.runInHost(n1, ['curl', '-sS', '--max-time', '2', 'http://127.0.0.1:8080/'])).code, 0);

  // nftables state inside a host goes away with it.
  assert.equal((await th.runInHost(n2, 'nft add table inet bzhtest && nft list tables')).code, 0);

  await th.killHost(n1);
  assert.notEqual(httpd.pid, undefined);
  await until(async () => httpd.exitCode !== null || httpd.signalCode !== null, 'httpd killed');
  assert.notEqual((await th.runInHost(n2, ['busybox', 'ping', '-c', '1', '-W', '1', n1.ip])).code, 0, 'a dead host is unreachable');

  const { prefix } = th;
  await th.teardown();
  assert.doesNotMatch(netnsList(), new RegExp(prefix));
  assert.doesNotMatch(links(), new RegExp(prefix));
  await th.teardown(); // idempotent
});

test('traffic between hosts never meets the root namespace\'s nftables (a node another test runs there)', async () => {
  const hosts = await createTestHosts({ hosts: ['a', 'b'] });
  const table = `${hosts.prefix}rootfw`;
  try {
    const [a, b] = [hosts.host('a'), hosts.host('b')];
    // What a concurrently running node's NetworkPolicy or masquerade table would do to these packets,
    // if br_netfilter handed them to the root namespace: drop them.
    execFileSync('nft', ['-f', '-'], { input: `table ip ${table} {\n chain forward { type filter hook forward priority -500; policy accept; ip saddr ${a.ip} ip daddr ${b.ip} counter drop; }\n chain pre { type filter hook prerouting priority -500; policy accept; ip saddr ${a.ip} ip daddr ${b.ip} counter drop; }\n}\n` });
    const ping = await hosts.runInHost(a, ['busybox', 'ping', '-c', '1', '-W', '2', b.ip]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.doesNotMatch(execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' }), /packets [1-9]/, 'the root namespace saw none of them');
    // The root namespace still reaches the hosts (servers in tests listen on the gateway address).
    assert.equal(spawnSync('busybox', ['ping', '-c', '1', '-W', '2', a.ip]).status, 0);
  } finally {
    execFileSync('nft', ['delete', 'table', 'ip', table]);
    await hosts.teardown();
  }
});

test('what a killed run left behind is swept; a live run\'s hosts are not', async () => {
  const dead = spawnSync('true').pid!; // exited: its pid is not alive
  const stale = `bzh${randomBytes(3).toString('hex').slice(0, 5)}`;
  try {
    execFileSync('ip', ['link', 'add', stale, 'type', 'bridge']);
    execFileSync('ip', ['link', 'set', stale, 'alias', `bosun-test-hosts pid=${dead}`]);
    execFileSync('ip', ['netns', 'add', `${stale}-n1`]);
    const live = await createTestHosts({ hosts: ['n1'] }); // sweeps on creation
    try {
      assert.doesNotMatch(links(), new RegExp(stale));
      assert.doesNotMatch(netnsList(), new RegExp(stale));
      sweepStaleTestHosts();
      assert.match(links(), new RegExp(live.bridge), 'our own (live) hosts stay');
    } finally {
      await live.teardown();
    }
  } finally {
    try { execFileSync('ip', ['netns', 'del', `${stale}-n1`], { stdio: 'ignore' }); } catch { /* swept */ }
    try { execFileSync('ip', ['link', 'del', stale], { stdio: 'ignore' }); } catch { /* swept */ }
  }
});
