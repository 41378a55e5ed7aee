/**
 * The Kubernetes CEL libraries, table-tested against the examples upstream documents for them:
 * k8s.io/apiserver/pkg/cel/library/{lists,regex,urls,quantity}.go and cel-go's ext/strings.go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelEnvironment } from './environment.js';

const env = new CelEnvironment(['self']);
const run = (expr: string, self?: unknown): unknown => env.evaluate(env.compile(expr), { self }, 1_000_000).value;

function table(cases: [string, unknown][]): void {
  for (const [expr, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => run(expr), want, expr);
    else assert.deepEqual(run(expr), want, expr);
  }
}

test('lists library (lists.go): isSorted, sum, min, max, indexOf, lastIndexOf', () => {
  table([
    ['[1, 2, 3].isSorted()', true],
    ["['a', 'b', 'b', 'c'].isSorted()", true],
    ['[2.0, 1.0].isSorted()', false],
    ['[1].isSorted()', true],
    ['[].isSorted()', true],
    ['[1, 2, 3].sum()', 6n],
    ['[1.0, 2.0].sum()', 3],
    ['[].sum()', 0n],
    ["[duration('1s'), duration('1m')].sum() == duration('61s')", true],
    ['[1, 2, 3].min()', 1n],
    ['[1].min()', 1n],
    ['[].min()', /min\(list\) called on empty list/],
    ['[1, 2, 3].max()', 3n],
    ["['b', 'c', 'a'].max()", 'c'],
    ['[1, 2, 3].indexOf(2)', 1n],
    ["['a', 'b', 'b', 'c'].indexOf('b')", 1n],
    ['[1.0].indexOf(1.1)', -1n],
    ["[].indexOf('string')", -1n],
    ['[1, 2, 3].lastIndexOf(2)', 1n],
    ["['a', 'b', 'b', 'c'].lastIndexOf('b')", 2n],
    ['[9223372036854775807, 1].sum()', /integer overflow/],
  ]);
  // on a value of the object (dyn), as CRD rules use them
  assert.equal(run('self.isSorted()', [1n, 5n, 9n]), true);
  assert.equal(run('self.map(x, x.port).isSorted()', [{ port: 80n }, { port: 443n }, { port: 8080n }]), true);
});

test('regex library (regex.go): find and findAll', () => {
  table([
    ["'abc 123'.find('[0-9]+')", '123'],
    ["'abc 123'.find('xyz')", ''],
    ["'123 abc 456'.findAll('[0-9]+')", ['123', '456']],
    ["'123 abc 456'.findAll('[0-9]+', 1)", ['123']],
    ["'123 abc 456'.findAll('xyz')", []],
    ["'ABC'.find('(?i)b')", 'B'],
    ["'abc'.find('(')", /error parsing regexp/],
  ]);
});

test('URL library (urls.go): isURL, url() and its getters', () => {
  table([
    ["isURL('https://user:pass@example.com:80/path?query=val#fragment')", true],
    ["isURL('/absolute-path')", true],
    ["isURL('https://a:b:c/')", false],
    ["isURL('../relative-path')", false],
    ["url('https://a:b:c/')", /URL parse error during conversion from string: parse "https:\/\/a:b:c\/": invalid port ":c" after host/],
    ["url('../relative-path')", /invalid URI for request/],
    ["url('/path').getScheme()", ''],
    ["url('https://example.com/').getScheme()", 'https'],
    ["url('https://example.com:80/').getHost()", 'example.com:80'],
    ["url('https://example.com/').getHost()", 'example.com'],
    ["url('https://[::1]:80/').getHost()", '[::1]:80'],
    ["url('https://[::1]/').getHost()", '[::1]'],
    ["url('/path').getHost()", ''],
    ["url('https://example.com:80/').getHostname()", 'example.com'],
    ["url('https://127.0.0.1:80/').getHostname()", '127.0.0.1'],
    ["url('https://[::1]:80/').getHostname()", '::1'],
    ["url('/path').getHostname()", ''],
    ["url('https://example.com:80/').getPort()", '80'],
    ["url('https://example.com/').getPort()", ''],
    ["url('/path').getPort()", ''],
    ["url('https://example.com/path').getEscapedPath()", '/path'],
    ["url('https://example.com/path with spaces/').getEscapedPath()", '/path%20with%20spaces/'],
    ["url('https://example.com').getEscapedPath()", ''],
    ["url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()", { k1: ['a'], k2: ['b', 'c'] }],
    ["url('https://example.com/path?key with spaces=value with spaces').getQuery()", { 'key with spaces': ['value with spaces'] }],
    ["url('https://example.com/path?').getQuery()", {}],
    ["url('https://example.com/path').getQuery()", {}],
    ["url('https://example.com/a') == url('https://example.com/a')", true],
  ]);
});

test('quantity library (quantity.go): parse, compare, arithmetic and conversions', () => {
  table([
    ["isQuantity('1.3G')", true],
    ["isQuantity('1.3Gi')", true],
    ["isQuantity('1,3G')", false],
    ["isQuantity('10000k')", true],
    ["isQuantity('200K')", false],
    ["isQuantity('Three')", false],
    ["isQuantity('Mi')", false],
    ["quantity('50000000G').isInteger()", true],
    ["quantity('50k').isInteger()", true],
    ["quantity('9999999999999999999999999999999999999G').asInteger()", /cannot convert value to integer/],
    ["quantity('9999999999999999999999999999999999999G').isInteger()", false],
    ["quantity('50k').asInteger() == 50000", true],
    ["quantity('50k').sub(20000).asApproximateFloat() == 30000.0", true],
    ["quantity('50k').asApproximateFloat() == 50000.0", true],
    ["quantity('200M').compareTo(quantity('0.2G'))", 0n],
    ["quantity('50M').compareTo(quantity('50Mi'))", -1n],
    ["quantity('50Mi').compareTo(quantity('50M'))", 1n],
    ["quantity('50M').isLessThan(quantity('50Mi'))", true],
    ["quantity('100M').isLessThan(quantity('100M'))", false],
    ["quantity('50Mi').isGreaterThan(quantity('50M'))", true],
    ["quantity('50M').add(quantity('50M')) == quantity('100M')", true],
    ["quantity('50k').add(20) == quantity('50020')", true],
    ["quantity('50k').sub(quantity('20k')) == quantity('30k')", true],
    ["quantity('50k').sub(20) == quantity('49980')", true],
    ["quantity('50.703k').sub(quantity('50k')) == quantity('703')", true],
    ["quantity('50M').sign()", 1n],
    ["quantity('0').sign()", 0n],
    ["quantity('-50k').sign()", -1n],
    ["quantity('1,3G')", /quantities must match the regular expression/],
  ]);
  assert.equal(run("quantity(self).isLessThan(quantity('2Gi'))", '512Mi'), true);
});

test('strings extension (cel-go ext/strings.go v2): what cel-js lacks and what it had', () => {
  table([
    ["'hello'.charAt(4)", 'o'],
    ["'hello'.charAt(5)", ''],
    ["'TacoCat'.lowerAscii()", 'tacocat'],
    ["'TacoCat'.upperAscii()", 'TACOCAT'],
    ["'hello hello'.replace('he', 'we')", 'wello wello'],
    ["'hello hello'.replace('he', 'we', -1)", 'wello wello'],
    ["'hello hello'.replace('he', 'we', 1)", 'wello hello'],
    ["'hello hello'.replace('he', 'we', 0)", 'hello hello'],
    ["'ab'.replace('', '-')", '-a-b-'],
    ["'hello hello'.split(' ')", ['hello', 'hello']],
    ["'hello hello hello'.split(' ', 2)", ['hello', 'hello hello']],
    ["'tacocat'.substring(4)", 'cat'],
    ["'tacocat'.substring(0, 4)", 'taco'],
    ["'  \\ttrim\\n    '.trim()", 'trim'],
    ["['hello', 'mellow'].join(' ')", 'hello mellow'],
    ["'hello mellow'.indexOf('ello')", 1n],
    ["'hello mellow'.lastIndexOf('ello')", 7n],
    ["strings.quote('single-quote with \"double quote\"')", '"single-quote with \\"double quote\\""'],
    ["'this is a string: %s\\nand an integer: %d'.format(['str', 42])", 'this is a string: str\nand an integer: 42'],
    ["'%.2f and %x and %%'.format([3.14159, 255])", '3.14 and ff and %'],
    ["'%d'.format(['x'])", /decimal clause can only be used on integers/],
  ]);
});

test('optional types as CRD rules use them: .?field, [?key], orValue, hasValue', () => {
  table([
    ["optional.of(1).hasValue()", true],
    ['optional.none().orValue(2)', 2n],
  ]);
  assert.equal(run("self.?spec.?mode.orValue('auto')", { spec: {} }), 'auto');
  assert.equal(run("self.?spec.?mode.orValue('auto')", { spec: { mode: 'manual' } }), 'manual');
  assert.equal(run("self[?'a'].hasValue()", { a: 1n }), true);
});

test('IP library (ip.go): ip(), isIP, ip.isCanonical and the address classes', () => {
  table([
    ["ip('127.0.0.1').family()", 4n],
    ["ip('::1').family()", 6n],
    ["ip('127.0.0.256')", /IP Address "127.0.0.256" parse error during conversion from string/],
    ["ip(':::1')", /parse error during conversion from string/],
    ["ip('::ffff:1.2.3.4')", /IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed/],
    ["ip('fe80::1%eth0')", /with zone value is not allowed/],
    ["isIP('127.0.0.1')", true],
    ["isIP('::1')", true],
    ["isIP('127.0.0.256')", false],
    ["isIP(':::1')", false],
    ["isIP('010.0.0.1')", false],
    ["ip.isCanonical('127.0.0.1')", true],
    ["ip.isCanonical('2001:db8::abcd')", true],
    ["ip.isCanonical('2001:DB8::ABCD')", false],
    ["ip.isCanonical('2001:db8::0:0:0:abcd')", false],
    ["ip('127.0.0.1').family() == 4", true],
    ["ip('0.0.0.0').isUnspecified()", true],
    ["ip('127.0.0.1').isUnspecified()", false],
    ["ip('::').isUnspecified()", true],
    ["ip('::1').isUnspecified()", false],
    ["ip('127.0.0.1').isLoopback()", true],
    ["ip('192.168.0.1').isLoopback()", false],
    ["ip('::1').isLoopback()", true],
    ["ip('2001:db8::abcd').isLoopback()", false],
    ["ip('224.0.0.1').isLinkLocalMulticast()", true],
    ["ip('224.0.1.1').isLinkLocalMulticast()", false],
    ["ip('ff02::1').isLinkLocalMulticast()", true],
    ["ip('fd00::1').isLinkLocalMulticast()", false],
    ["ip('169.254.169.254').isLinkLocalUnicast()", true],
    ["ip('192.168.0.1').isLinkLocalUnicast()", false],
    ["ip('fe80::1').isLinkLocalUnicast()", true],
    ["ip('fd80::1').isLinkLocalUnicast()", false],
    ["ip('192.168.0.1').isGlobalUnicast()", true],
    ["ip('255.255.255.255').isGlobalUnicast()", false],
    ["ip('2001:db8::abcd').isGlobalUnicast()", true],
    ["ip('ff00::1').isGlobalUnicast()", false],
    ["string(ip('2001:DB8::0:0:0:ABCD'))", '2001:db8::abcd'],
    ["ip('10.0.0.1') == ip('10.0.0.1')", true],
  ]);
  // `ip` is also a common iteration variable name in CRD rules
  assert.equal(run('self.all(ip, isIP(ip) && ip(ip).family() == 4)', ['10.0.0.1', '192.168.1.1']), true);
});

test('CIDR library (cidr.go): cidr(), isCIDR, containsIP, containsCIDR, ip, masked, prefixLength', () => {
  table([
    ["isCIDR('192.168.0.0/16')", true],
    ["isCIDR('::1/128')", true],
    ["isCIDR('192.168.0.0/33')", false],
    ["isCIDR('::1/129')", false],
    ["cidr('192.168.0.0/33')", /network address parse error during conversion from string/],
    ["cidr('::ffff:1.2.3.4/120')", /IPv4-mapped IPv6 address "::ffff:1.2.3.4\/120" is not allowed/],
    ["cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", true],
    ["cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))", false],
    ["cidr('192.168.0.0/24').containsIP('192.168.0.1')", true],
    ["cidr('192.168.0.0/24').containsIP('192.168.1.1')", false],
    ["cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))", true],
    ["cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))", false],
    ["cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')", true],
    ["cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')", false],
    ["cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", true],
    ["cidr('192.168.0.1/24').ip().family()", 4n],
    ["cidr('::1/128').ip() == ip('::1')", true],
    ["cidr('::1/128').ip().family()", 6n],
    ["cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')", true],
    ["cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", true],
    ["cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()", true],
    ["cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()", false],
    ["cidr('192.168.0.0/16').prefixLength()", 16n],
    ["cidr('::1/128').prefixLength()", 128n],
    ["string(cidr('192.168.0.1/24').masked())", '192.168.0.0/24'],
  ]);
});
