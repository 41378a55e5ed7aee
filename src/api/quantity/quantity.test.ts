import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantity, QuantityError, parseQuantity, type QuantityFormat } from './quantity.js';

// Cases from apimachinery's quantity_test.go (TestQuantityParse, TestQuantityString,
// TestQuantityParseEmit): input, value in nano-units, format, canonical string.
const parseCases: [string, bigint, QuantityFormat, string][] = [
  ['0', 0n, 'DecimalSI', '0'],
  ['0Ki', 0n, 'BinarySI', '0'],
  ['1', 1_000_000_000n, 'DecimalSI', '1'],
  ['1Ki', 1024n * 10n ** 9n, 'BinarySI', '1Ki'],
  ['7Mi', 7n * 1024n ** 2n * 10n ** 9n, 'BinarySI', '7Mi'],
  ['3Ei', 3n * 1024n ** 6n * 10n ** 9n, 'BinarySI', '3Ei'],
  ['5n', 5n, 'DecimalSI', '5n'],
  ['4u', 4000n, 'DecimalSI', '4u'],
  ['3m', 3_000_000n, 'DecimalSI', '3m'],
  ['100m', 100_000_000n, 'DecimalSI', '100m'],
  ['8k', 8n * 10n ** 12n, 'DecimalSI', '8k'],
  ['50k', 5n * 10n ** 13n, 'DecimalSI', '50k'],
  ['1M', 10n ** 15n, 'DecimalSI', '1M'],
  ['1E', 10n ** 27n, 'DecimalSI', '1E'],
  ['1E-3', 1_000_000n, 'DecimalExponent', '1e-3'],
  ['1e3', 10n ** 12n, 'DecimalExponent', '1e3'],
  ['1e14', 10n ** 23n, 'DecimalExponent', '100e12'],
  ['100.035k', 100035n * 10n ** 9n, 'DecimalSI', '100035'],
  ['0.5', 500_000_000n, 'DecimalSI', '500m'],
  ['1.5', 1_500_000_000n, 'DecimalSI', '1500m'],
  ['1500m', 1_500_000_000n, 'DecimalSI', '1500m'],
  ['1000m', 1_000_000_000n, 'DecimalSI', '1'],
  ['1000', 10n ** 12n, 'DecimalSI', '1k'],
  ['0.5e-2', 5_000_000n, 'DecimalExponent', '5e-3'],
  ['1.3E+6', 13n * 10n ** 14n, 'DecimalExponent', '1300e3'],
  ['3.001n', 4n, 'DecimalSI', '4n'],
  ['0.0000000001', 1n, 'DecimalSI', '1n'],
  ['0.00000012345', 124n, 'DecimalSI', '124n'],
  ['0.5Mi', 524288n * 10n ** 9n, 'BinarySI', '512Ki'],
  ['1024Mi', 1024n ** 3n * 10n ** 9n, 'BinarySI', '1Gi'],
  ['1536Mi', 1536n * 1024n ** 2n * 10n ** 9n, 'BinarySI', '1536Mi'],
  ['1.5Ki', 1536n * 10n ** 9n, 'BinarySI', '1536'],
  ['.001Ki', 1_024_000_000n, 'BinarySI', '1024m'],
  ['0.000000000001Ki', 2n, 'DecimalSI', '2n'],
  ['.001', 1_000_000n, 'DecimalSI', '1m'],
  ['1.', 10n ** 9n, 'DecimalSI', '1'],
  ['1.G', 10n ** 18n, 'DecimalSI', '1G'],
  ['1000E', 10n ** 30n, 'DecimalSI', '1e21'],
  ['9Ei', ((1n << 63n) - 1n) * 10n ** 9n, 'BinarySI', '9223372036854775807'],
  ['-1.5', -1_500_000_000n, 'DecimalSI', '-1500m'],
  ['+2Gi', 2n * 1024n ** 3n * 10n ** 9n, 'BinarySI', '2Gi'],
];

test('parse and canonical form follow upstream', () => {
  for (const [input, nanos, format, canonical] of parseCases) {
    const q = parseQuantity(input);
    assert.equal(q.nanos, nanos, `${input} value`);
    assert.equal(q.format, format, `${input} format`);
    assert.equal(q.toString(), canonical, `${input} canonical`);
    assert.equal(JSON.stringify({ q }), `{"q":"${canonical}"}`, `${input} JSON`);
    assert.ok(parseQuantity(canonical).equals(q), `${canonical} parses back to ${input}`);
  }
});

test('invalid strings throw a QuantityError naming the value (upstream invalid cases)', () => {
  for (const input of ['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 ', '.', '1K', '1e99999']) {
    assert.throws(() => parseQuantity(input), (err: unknown) => {
      assert.ok(err instanceof QuantityError, input);
      assert.equal(err.value, input);
      assert.ok(err.message.includes(`"${input}"`), err.message);
      return true;
    });
  }
});

test('compare, add and subtract exactly', () => {
  const q = parseQuantity;
  assert.equal(q('100m').cmp(q('0.1')), 0);
  assert.equal(q('1Gi').cmp(q('1G')), 1);
  assert.equal(q('999m').cmp(q('1')), -1);
  // 0.1 + 0.2 is exactly 300m: no float drift.
  assert.equal(q('0.1').add(q('0.2')).toString(), '300m');
  assert.equal(q('1Gi').sub(q('512Mi')).toString(), '512Mi');
  // The receiver's format wins (upstream Add/Sub); a zero receiver takes the other's.
  assert.equal(q('10').sub(q('1Ki')).toString(), '-1014');
  assert.equal(Quantity.fromValue(0).add(q('1Mi')).toString(), '1Mi');
  assert.equal(q('500m').neg().toString(), '-500m');
  let total = Quantity.fromMilli(0);
  for (let i = 0; i < 10; i++) total = total.add(q('100m'));
  assert.ok(total.equals(q('1')));
});

test('milli-values and byte values round up as upstream', () => {
  assert.equal(parseQuantity('100m').milliValue(), 100n);
  assert.equal(parseQuantity('1.5').milliValue(), 1500n);
  assert.equal(parseQuantity('2').milliValue(), 2000n);
  assert.equal(parseQuantity('1n').milliValue(), 1n);
  assert.equal(parseQuantity('512Mi').bytes(), 536870912n);
  assert.equal(parseQuantity('1G').bytes(), 1_000_000_000n);
  assert.equal(parseQuantity('1.5').value(), 2n);
  assert.equal(parseQuantity('1e3').value(), 1000n);
});

test('constructors format like NewMilliQuantity / NewQuantity', () => {
  const cases: [Quantity, string][] = [
    [Quantity.fromMilli(1), '1m'], [Quantity.fromMilli(1000), '1'], [Quantity.fromMilli(1234000), '1234'],
    [Quantity.fromMilli(1024, 'BinarySI'), '1024m'], [Quantity.fromValue(1000), '1k'],
    [Quantity.fromValue(1024, 'BinarySI'), '1Ki'], [Quantity.fromValue(1024 * 1024, 'BinarySI'), '1Mi'],
    [Quantity.fromValue(1000000, 'DecimalExponent'), '1e6'], [Quantity.fromValue(0, 'BinarySI'), '0'],
  ];
  for (const [q, s] of cases) assert.equal(q.toString(), s);
});
