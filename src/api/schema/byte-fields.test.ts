/** base64 fields decoded as Go's encoding/base64 StdEncoding does, with its error offsets. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { base64Error } from './byte-fields.js';

test('Go StdEncoding: valid input, and the offset of the first problem', () => {
  for (const ok of ['', 'dmFsdWUtMg0KDQo=', 'YWJj', 'YQ==', 'YWI=', 'YW\nJj']) assert.equal(base64Error(ok), undefined, ok);
  const cases: [string, number][] = [
    ['REPLACE_WITH_BASE64_CERT', 7], // '_' is outside the alphabet
    ['<omitted>', 0],
    ['abc', 0], // an incomplete group: where it starts
    ['YWJjZ', 4],
    ['Y===', 1], // '=' one character into a group
    ['YQ=', 3], // a first '=' with nothing after it: the input's length
    ['YQ=x', 2], // a first '=' followed by something else: at the first '='
    ['YWI=YQ==', 4], // data after the padding
  ];
  for (const [input, offset] of cases) assert.equal(base64Error(input), `illegal base64 data at input byte ${offset}`, input);
});
