import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from './duration.js';

test('parseGoDuration: Go durations to milliseconds, undefined for anything else', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0], ['200ms', 200], ['5s', 5000], ['2m', 120_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000], ['1m0.5s', 60_500],
    ['', undefined], ['10', undefined], ['5x', undefined], ['-1s', undefined], ['1s ', undefined], ['s', undefined],
  ];
  for (const [input, want] of cases) assert.equal(parseGoDuration(input), want, JSON.stringify(input));
});
