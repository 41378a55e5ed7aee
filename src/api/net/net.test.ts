/**
 * The one address parser, table-driven against what Kubernetes 1.32 accepts (k8s.io/utils/net
 * ParseIPSloppy / ParseCIDRSloppy behind apimachinery's IsValidIP and core's ValidateCIDR), and the
 * hostile strings that must never reach a ruleset.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIPv4, cidrContains, cidrsOverlap, ipCompare, isIPv4, isIPv6, parseCIDR, parseIP, validateIP, validateIPv4 } from './index.js';

test('parseIP: what 1.32 accepts, in canonical form', () => {
  const rows: [string, 4 | 6 | undefined, string?][] = [
    ['10.0.0.1', 4, '10.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    // ParseIPSloppy: leading zeros are decimal (never octal), and come back without them.
    ['010.000.000.001', 4, '10.0.0.1'],
    ['1.2.3.04', 4, '1.2.3.4'],
    ['2001:DB8:0:0:0:0:0:1', 6, '2001:db8::1'],
    ['::', 6, '::'],
    ['::1', 6, '::1'],
    ['fd00::10', 6, 'fd00::10'],
    ['2001:db8::1.2.3.4', 6, '2001:db8::102:304'],
    // Go's To4(): an IPv4-mapped IPv6 address is IPv4.
    ['::ffff:1.2.3.4', 4, '1.2.3.4'],
    ['::ffff:102:304', 4, '1.2.3.4'],
    ['::ffff:01.2.3.4', 4, '1.2.3.4'],
    ['256.0.0.1', undefined], ['1.2.3', undefined], ['1.2.3.4.5', undefined], ['1.2.3.-4', undefined],
    ['1.2.3.4 ', undefined], [' 1.2.3.4', undefined], ['1.2.3.4/32', undefined], ['0x1.2.3.4', undefined],
    ['1.2.3.4; flush ruleset', undefined], ['1.2.3.4\n', undefined], ['', undefined], ['1..2.3', undefined],
    ['fe80::1%eth0', undefined], ['2001:db8::g', undefined], ['1:2:3:4:5:6:7:8:9', undefined], [':::', undefined],
    ['10.0.0.1/0', undefined], ['localhost', undefined], ['+1.2.3.4', undefined],
  ];
  for (const [text, family, canonical] of rows) {
    const ip = parseIP(text);
    assert.equal(ip?.family, family, JSON.stringify(text));
    if (canonical) assert.equal(ip?.text, canonical, JSON.stringify(text));
  }
  for (const v of [undefined, null, 1, {}, ['1.2.3.4']]) assert.equal(parseIP(v), undefined);
});

test('strict isIPv4/isIPv6: canonical text only', () => {
  assert.equal(isIPv4('10.0.0.1'), true);
  assert.equal(isIPv4('010.0.0.1'), false);
  assert.equal(isIPv4('::ffff:1.2.3.4'), false);
  assert.equal(isIPv6('2001:db8::1'), true);
  assert.equal(isIPv6('2001:DB8::1'), false);
  assert.equal(canonicalIPv4('010.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIPv4('fd00::1'), undefined);
});

test('parseCIDR: ParseCIDRSloppy rules, network form and containment', () => {
  const rows: [string, string | undefined, boolean?][] = [
    ['10.42.0.0/16', '10.42.0.0/16', true],
    ['10.42.1.0/24', '10.42.1.0/24', true],
    ['0.0.0.0/0', '0.0.0.0/0', true],
    ['10.0.0.1/8', '10.0.0.0/8', false],
    ['010.42.0.0/16', '10.42.0.0/16', true],
    ['10.42.0.0/024', '10.42.0.0/24', true],
    ['1.2.3.4/32', '1.2.3.4/32', true],
    ['fd00:10:244::/64', 'fd00:10:244::/64', true],
    ['2001:db8::1/64', '2001:db8::/64', false],
    ['10.42.0.0/33', undefined], ['fd00::/129', undefined], ['10.42.0.0', undefined], ['10.42.0.0/', undefined],
    ['10.42.0.0/-1', undefined], ['10.42.0.0/16/8', undefined], ['10.42.0.0/1a', undefined], ['/16', undefined],
    ['10.42.0.0/16; flush ruleset', undefined], ['10.42.0.0/16 ', undefined], ['10.42.0.0 /16', undefined],
  ];
  for (const [text, want, isNetwork] of rows) {
    const c = parseCIDR(text);
    assert.equal(c?.text, want, JSON.stringify(text));
    if (isNetwork !== undefined) assert.equal(c?.isNetwork, isNetwork, JSON.stringify(text));
  }
  const cluster = parseCIDR('10.42.0.0/16')!;
  assert.equal(cidrContains(cluster, parseCIDR('10.42.7.0/24')!), true);
  assert.equal(cidrContains(cluster, parseCIDR('0.0.0.0/0')!), false);
  assert.equal(cidrContains(cluster, parseCIDR('10.43.0.0/24')!), false);
  assert.equal(cidrContains(cluster, parseIP('10.42.255.255')!), true);
  assert.equal(cidrContains(cluster, parseIP('fd00::1')!), false);
  assert.equal(cidrsOverlap(parseCIDR('10.42.0.0/23')!, parseCIDR('10.42.1.0/24')!), true);
  assert.equal(cidrsOverlap(parseCIDR('10.42.0.0/24')!, parseCIDR('10.42.1.0/24')!), false);
  assert.equal(cidrsOverlap(parseCIDR('0.0.0.0/0')!, parseCIDR('fd00::/8')!), false);
});

test('validation messages are apimachinery 1.32\'s', () => {
  assert.deepEqual(validateIP('spec.clusterIP', '1.2.3.4; flush ruleset'), [{
    type: 'FieldValueInvalid', field: 'spec.clusterIP',
    detail: 'Invalid value: "1.2.3.4; flush ruleset": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  }]);
  assert.deepEqual(validateIPv4('endpoints[0].addresses[0]', 'fd00::1')[0]?.detail, 'Invalid value: "fd00::1": must be a valid IPv4 address');
  assert.deepEqual(validateIP('x', '010.0.0.1'), []);
});

test('ipCompare: IPv4 in numeric order, then IPv6 numerically, then anything else', () => {
  const cases: Array<[string[], string[]]> = [
    [['10.42.0.10', '10.42.0.9', '10.42.0.100'], ['10.42.0.9', '10.42.0.10', '10.42.0.100']],
    [['10.43.0.1', '9.255.255.255', '10.42.255.255'], ['9.255.255.255', '10.42.255.255', '10.43.0.1']],
    [['fd00::10', '10.0.0.1', 'junk', 'fd00::9', '1.2.3.4'], ['1.2.3.4', '10.0.0.1', 'fd00::9', 'fd00::10', 'junk']],
    [['1.1.1.1', '1.1.1.1'], ['1.1.1.1', '1.1.1.1']],
  ];
  for (const [input, want] of cases) assert.deepEqual([...input].sort(ipCompare), want, input.join(' '));
});

test('whatever parses comes back as digits, hex, dots and colons only, and reparses to itself', () => {
  // Deterministic pseudo-random strings over an alphabet with every character nft or a shell cares about.
  const alphabet = '0123456789abcdefABCDEF.:/%; {}\n\t-x';
  let seed = 0x2545f491;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) % alphabet.length;
  const seeds = ['10.42.0.1', '::ffff:1.2.3.4', '2001:db8::1', '10.42.0.0/16', 'fd00::/64'];
  for (let i = 0; i < 20000; i++) {
    const base = seeds[i % seeds.length]!;
    const chars = [...base];
    for (let k = 0; k < 1 + (i % 3); k++) chars.splice(next() % (chars.length + 1), i % 2, alphabet[next()]!);
    const text = chars.join('');
    const ip = parseIP(text);
    if (ip) {
      assert.match(ip.text, /^[0-9a-f:.]+$/, JSON.stringify(text));
      assert.equal(parseIP(ip.text)?.text, ip.text, JSON.stringify(text));
    }
    const c = parseCIDR(text);
    if (c) {
      assert.match(c.text, /^[0-9a-f:.]+\/\d{1,3}$/, JSON.stringify(text));
      assert.equal(parseCIDR(c.text)?.text, c.text, JSON.stringify(text));
    }
  }
});
