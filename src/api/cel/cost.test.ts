/**
 * Runtime cost counted as cel-go counts it: the expected numbers are those of cel-go's
 * interpreter/runtimecost_test.go (TestRuntimeCost) and of k8s.io/apiserver/pkg/cel/library/cost_test.go
 * (expectedRuntimeCost), and the limit is upstream's PerCallLimit with cel-go's error text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CostLimitError, PER_CALL_LIMIT } from './cost.js';
import { CelEnvironment } from './environment.js';

const env = new CelEnvironment(['input', 'a', 'b', 'c', 'd', 'x', 'input1', 'input2', 'list1', 'list2', 'arg1']);
const cost = (expr: string, vars: Record<string, unknown> = {}): number => env.evaluate(env.compile(expr), vars, PER_CALL_LIMIT).cost;
const letters = (n: number): string => 'abcdefghij'.repeat(Math.ceil(n / 10)).slice(0, n);

test('cel-go TestRuntimeCost: identifiers, selections, literals, operators, comprehensions, string functions', () => {
  const cases: [string, Record<string, unknown>, number][] = [
    ['"Hello World!"', {}, 0],
    ['input', { input: [1n, 2n] }, 1],
    ["input['key']", { input: { key: 'v' } }, 2],
    ['input[0]', { input: ['v'] }, 2],
    ["input['ke' + 'y']", { input: { key: 'v' } }, 3],
    ['input[3-3]', { input: ['v'] }, 3],
    ['input.?key', { input: { key: 'v' } }, 2],
    ["input[?'key']", { input: { key: 'v' } }, 2],
    ['input.?key.subkey', { input: { key: { subkey: 'v' } } }, 3],
    ['has(input.testAttr.nestedAttr)', { input: { testAttr: { nestedAttr: '0' } } }, 3],
    ['[1, 2, 3]', {}, 10],
    ['{"a": 1, "b": 2, "c": 3}', {}, 30],
    ['input.all(x, true)', { input: [] }, 2],
    ['input.all(x, x.all(y, true))', { input: [] }, 2],
    ['[1, 2, 3].all(x, true)', {}, 20],
    ["input.matches('[0-9]')", { input: letters(500) }, 103],
    ["'123'.matches('[0-9]')", {}, 2],
    ['false || false', {}, 0],
    ['true || false', {}, 0],
    ['a || b || c || d', { a: false, b: false, c: false, d: false }, 4],
    ['a && b && c && d', { a: true, b: true, c: true, d: true }, 4],
    ['1 < 2', {}, 1], ['1 <= 2', {}, 1], ['1 == 2', {}, 1], ['2 > 1', {}, 1], ['2 >= 1', {}, 1],
    ['2 in [1, 2, 3]', {}, 13],
    ['1 + 1', {}, 1], ['1 - 1', {}, 1], ['1 / 1', {}, 1], ['1 * 1', {}, 1], ['1 % 1', {}, 1],
    ['true ? 1 : 2', {}, 0],
    ['size("123")', {}, 1],
    ["'12345678901234567890' == '123456789012345678901234567890'", {}, 2],
    ['bytes(input)', { input: letters(500) }, 51],
    ['string(1)', {}, 1],
    ['input.contains(arg1)', { input: letters(500), arg1: letters(500) }, 2502],
    ["input.matches('\\\\d+a\\\\d+b')", { input: letters(500) }, 103],
    ['input.startsWith(arg1)', { input: 'idc', arg1: letters(500) }, 52],
    ['input.endsWith(arg1)', { input: 'idc', arg1: letters(500) }, 52],
    ['input.size()', { input: '500' }, 2],
    ['size(input)', { input: '500' }, 2],
    ['true ? false : 1 > 3', {}, 0],
    ['false ? false : 1 > 3', {}, 1],
    ['input.all(k, input[k].single_int32 > 3)', { input: { val: { single_int32: 0n } } }, 9],
    ['input.all(k, input[k].all(x, true))', { input: {} }, 2],
    ['(list1 + list2).all(x, true)', { list1: [], list2: [] }, 4],
    // an iteration variable named like a function namespace is a variable all the same
    ['input.all(ip, isIP(ip))', { input: ['1.2.3.4', '::1'] }, 12],
  ];
  for (const [expr, vars, want] of cases) assert.equal(cost(expr, vars), want, expr);
});

test('Kubernetes library costs (cost_test.go): lists, indexOf, urls, ip, cidr', () => {
  const ints = '[1, 2, 3, 4, 5]';
  const strs = "['012345678901', '012345678901', '012345678901', '012345678901', '012345678901']";
  const cases: [string, number][] = [
    [`${ints}.sum()`, 15], [`${ints}.isSorted()`, 15], [`${ints}.max()`, 15], [`${ints}.min()`, 15],
    ['[1.0, 2.0, 3.0, 4.0, 5.0].sum()', 15],
    ['[uint(1), uint(2), uint(3), uint(4), uint(5)].sum()', 20],
    ['[false, true, false, true, false].isSorted()', 15],
    [`${strs}.isSorted()`, 15],
    [`${ints}.indexOf(3)`, 15], [`${ints}.lastIndexOf(3)`, 15],
    [`${strs}.indexOf('x')`, 15],
    ["'01234567890123456789012345678901234567890123456789'.indexOf('123')", 5],
    ["url('https:://kubernetes.io/').getScheme()", 4],
    ["url('https:://kubernetes.io/').getHostname()", 4],
    ["url('https:://kubernetes.io/').getQuery()", 4],
    ["url('https:://kubernetes.io/') == url('https:://kubernetes.io/')", 7],
    ["url('https:://kubernetes.io/') == url('http://x.b')", 5],
    // TestIPCost, TestIPIsCanonicalCost, TestCIDRCost
    ["ip('192.168.0.1')", 2], ["ip('2001:db8:3333:4444:5555:6666:7777:8888')", 4],
    ["ip('192.168.0.1').family()", 3], ["ip('2001:db8:3333:4444:5555:6666:7777:8888').isLoopback()", 5],
    ["ip('192.168.0.1') == ip('192.168.0.1')", 5],
    ["ip.isCanonical('192.168.0.1')", 3], ["ip.isCanonical('2001:db8:3333:4444:5555:6666:7777:8888')", 8], ["ip.isCanonical('2001:db8::abcd')", 3],
    ["cidr('192.168.0.0/16')", 2], ["cidr('192.168.0.0/16').prefixLength()", 3], ["cidr('192.168.0.0/16').masked()", 3],
    ["cidr('192.168.0.0/16') == cidr('2001:db8::/32')", 5],
    ["cidr('192.168.0.0/16').containsCIDR(cidr('192.0.0.0/30'))", 7],
    ["cidr('192.168.0.0/16').containsCIDR('192.0.0.0/30')", 7],
    ["cidr('192.168.0.0/16').containsIP(ip('192.0.0.1'))", 4],
    ["cidr('192.168.0.0/16').containsIP(ip('192.169.0.1'))", 5],
    ["cidr('192.168.0.0/16').containsIP('192.169.0.1')", 5],
    ["cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/126'))", 7],
    ["cidr('2001:db8::/32').containsCIDR('2001:db8::/126')", 7],
  ];
  for (const [expr, want] of cases) assert.equal(cost(expr), want, expr);
});

test('an evaluation past PerCallLimit (1,000,000) fails with cel-go\'s message, even where || would absorb an error', () => {
  const big = Array.from({ length: 1000 }, () => Array.from({ length: 400 }, () => 1n));
  assert.throws(() => cost('input.all(x, x.all(y, y > 0))', { input: big }), (e: unknown) => e instanceof CostLimitError && e.message === 'operation cancelled: actual cost limit exceeded');
  assert.throws(() => cost('input.all(x, x.all(y, y > 0)) || true', { input: big }), CostLimitError);
  // a tenth of it stays within the limit, and costs what it counts
  assert.ok(cost('input.all(x, x.all(y, y > 0))', { input: big.slice(0, 100) }) < PER_CALL_LIMIT);
});
