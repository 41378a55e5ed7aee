import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../status.js';
import { exactFieldValue, fieldSelectorString, matchesFields, parseFieldSelector } from './field-selector.js';

// From apimachinery fields/selector_test.go (TestSelectorParse, TestSelectorMatches, escaping).
test('field selectors parse, print and match like upstream', () => {
  const fields = { 'metadata.name': 'web', 'metadata.namespace': 'default', 'spec.nodeName': '', 'x': 'a,b=c' };
  const cases: [string, string, boolean][] = [
    ['', '', true],
    ['metadata.name=web', 'metadata.name=web', true],
    ['metadata.name==web', 'metadata.name=web', true],
    ['metadata.name!=web', 'metadata.name!=web', false],
    ['metadata.name=web,metadata.namespace=default', 'metadata.name=web,metadata.namespace=default', true],
    ['metadata.name=web,metadata.namespace!=default', 'metadata.name=web,metadata.namespace!=default', false],
    ['spec.nodeName=', 'spec.nodeName=', true],
    ['spec.nodeName!=', 'spec.nodeName!=', false],
    ['status.phase=', 'status.phase=', true],
    ['status.phase!=Running', 'status.phase!=Running', true],
    ['x=a\\,b\\=c', 'x=a\\,b\\=c', true],
    [' metadata.name = web ', 'metadata.name= web ', false],
  ];
  for (const [input, printed, match] of cases) {
    const sel = parseFieldSelector(input);
    assert.equal(fieldSelectorString(sel), printed, input);
    assert.deepEqual(parseFieldSelector(printed), sel, `${printed} re-parses`);
    assert.equal(matchesFields(sel, fields), match, input);
  }
  assert.equal(exactFieldValue(parseFieldSelector('metadata.namespace!=a,metadata.name==web'), 'metadata.name'), 'web');
  assert.equal(exactFieldValue(parseFieldSelector('metadata.name!=web'), 'metadata.name'), undefined);
});

test('malformed field selectors are 400 BadRequest naming the term', () => {
  const cases: [string, RegExp][] = [
    ['metadata.name', /invalid field selector: 'metadata.name'; can't understand 'metadata.name'/],
    ['a=b,c', /can't understand 'c'/],
    ['=b', /can't understand '=b'/],
    ['a=b=c', /unescaped '=' in value/],
    ['a=b\\x', /invalid escape sequence/],
    ['a=b,', /can't understand ''/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseFieldSelector(input), (err: unknown) => {
      assert.ok(err instanceof StatusError, input);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.match(err.message, message, input);
      return true;
    }, input);
  }
});
