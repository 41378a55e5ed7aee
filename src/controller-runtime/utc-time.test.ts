import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339Seconds, utcISOString } from './utc-time.js';

test('utcISOString matches Date.prototype.toISOString', () => {
  const cases = [
    0, 1, 9, 10, 99, 100, 999, 1000, -1, -999, 1_700_000_000_123, 1_700_000_000_000, 951_782_400_000 /* 2000-02-29 */,
    Date.UTC(2024, 11, 31, 23, 59, 59, 999), Date.UTC(1969, 0, 1), Date.UTC(999, 5, 6, 7, 8, 9, 10), Date.UTC(9, 0, 1) - Date.UTC(1900, 0, 1) + Date.UTC(1900, 0, 1),
    Date.UTC(0, 0, 1) - 62_167_219_200_000 /* year 0 */, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62_198_755_200_000 /* year -1 */, 8.64e15, -8.64e15,
  ];
  for (let i = 0; i < 2000; i++) cases.push(Math.floor((Math.random() - 0.3) * 4e12));
  for (const ms of cases) assert.equal(utcISOString(ms), new Date(ms).toISOString(), String(ms));
});

test('utcISOString throws RangeError for an invalid time, as toISOString does', () => {
  assert.throws(() => utcISOString(Number.NaN), RangeError);
  assert.throws(() => utcISOString(8.64e15 + 1), RangeError);
});

test('rfc3339Seconds truncates to whole seconds', () => {
  assert.equal(rfc3339Seconds(Date.UTC(2024, 4, 1, 10, 0, 0, 999)), '2024-05-01T10:00:00Z');
  assert.equal(rfc3339Seconds(Date.UTC(2024, 4, 1, 10, 0, 1)), '2024-05-01T10:00:01Z');
});
