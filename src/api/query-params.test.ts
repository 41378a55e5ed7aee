/**
 * The query parameter conversions, checked against apimachinery's pkg/runtime/conversion.go
 * (Convert_Slice_string_To_bool, Convert_Slice_string_To_int64 = strconv.ParseInt(v, 10, 64)).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { queryBool, queryInt } from './query-params.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const badRequest = (e: unknown): boolean => (e as { status?: { code?: number } }).status?.code === 400;

test('booleans: "0" and any case of "false" are false, anything else (empty included) true, absent undefined', () => {
  for (const v of ['false', 'False', 'FALSE', 'fAlSe', '0', 'falſe']) assert.equal(queryBool(q(`x=${encodeURIComponent(v)}`), 'x'), false, v);
  for (const v of ['true', 'True', 'TRUE', '1', '', 'yes', 'no', 'off', '00', ' false']) assert.equal(queryBool(q(`x=${encodeURIComponent(v)}`), 'x'), true, JSON.stringify(v));
  assert.equal(queryBool(q('x'), 'x'), true);
  assert.equal(queryBool(q('y=1'), 'x'), undefined);
  assert.equal(queryBool(q('x=False&x=true'), 'x'), false, 'the first value counts');
});

test('integers: decimal int64 with an optional sign, nothing else', () => {
  assert.equal(queryInt(q('n=500'), 'n'), 500);
  assert.equal(queryInt(q('n=%2B5'), 'n'), 5);
  assert.equal(queryInt(q('n=-1'), 'n'), -1);
  assert.equal(queryInt(q('n=007'), 'n'), 7);
  assert.equal(queryInt(q('m=1'), 'n'), undefined);
  for (const v of ['', '1.0', '1e3', '0x10', ' 5', 'abc', '9223372036854775808']) {
    assert.throws(() => queryInt(q(`n=${encodeURIComponent(v)}`), 'n'), badRequest, JSON.stringify(v));
  }
  assert.equal(queryInt(q('n=9223372036854775807'), 'n'), 9223372036854775807);
});
